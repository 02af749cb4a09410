//! `cargo run --release --example generate_release -- N DIR [--mistakes]`: write a realistic
//! release of N workloads to DIR (the benchmark's generator).

#[path = "../tests/support/generate.rs"]
mod generate;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (Some(n), Some(dir)) = (args.first().and_then(|n| n.parse().ok()), args.get(1)) else {
        eprintln!("usage: generate_release N DIR [--mistakes]");
        std::process::exit(2);
    };
    let mistakes = args.iter().any(|a| a == "--mistakes");
    match generate::generate(std::path::Path::new(dir), n, mistakes) {
        Ok(g) => println!(
            "{} workloads, {} files, {} bytes, {} planted findings in {dir}",
            g.workloads, g.files, g.bytes, g.mistakes
        ),
        Err(e) => {
            eprintln!("{dir}: {e}");
            std::process::exit(2);
        }
    }
}
