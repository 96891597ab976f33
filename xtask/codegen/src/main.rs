//! `cargo run -p xtask-codegen -- [--definitions DIR] [--check] [--java-vectors]`: the code
//! generator alone, for when the generated code does not compile (which `cargo xtask codegen`
//! needs, as the xtask links the client).

fn main() -> std::process::ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    xtask_codegen::main(&args)
}
