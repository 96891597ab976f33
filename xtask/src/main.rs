//! Project automation (`cargo xtask <command>`).

fn main() {
    eprintln!("usage: cargo xtask <cluster|demo>");
}
