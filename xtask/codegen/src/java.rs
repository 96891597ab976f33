//! Java vectors (stub).
use super::CodegenError;
use super::model::Definitions;
use std::collections::BTreeSet;
pub(crate) fn write_vectors(_defs: &Definitions, _custom: &BTreeSet<String>) -> Result<(), CodegenError> {
    Ok(())
}
