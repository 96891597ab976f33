//! Generated tests (stub).
use super::model::Definitions;
use super::wire::Resolver;
pub(crate) fn test_files(_res: &Resolver<'_>, _defs: &Definitions) -> Result<Vec<(String, String)>, String> {
    Ok(Vec::new())
}
