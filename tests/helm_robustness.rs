//! The renderer on broken real charts: every template of every corpus chart mutated at random
//! (delimiters, pipes, quotes, deleted and inserted bytes) must render or fail with a message,
//! never panic, hang or run out of memory. Deterministic (a fixed seed); skipped with a message
//! when `../shared/corpus` is absent. A longer run of it found a lexer loop on a non-letter
//! non-ASCII character inside an action (`{{ “x” }}`; a unit test in `template/lex.rs` now).

use std::collections::BTreeMap;
use std::io::Read;
use std::path::PathBuf;
use std::time::{Duration, Instant};

const ROUNDS: usize = 4;

/// xorshift64: reproducible without a dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 as usize
    }
}

fn corpus() -> Option<PathBuf> {
    let dir = std::env::var_os("SNAPLINT_CORPUS")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus"))
        .join("charts");
    dir.is_dir().then_some(dir)
}

fn unpack(tgz: &[u8]) -> BTreeMap<String, Vec<u8>> {
    let mut tar_bytes = Vec::new();
    flate2::read::GzDecoder::new(tgz)
        .read_to_end(&mut tar_bytes)
        .expect("gunzip");
    let mut files = BTreeMap::new();
    for entry in tar::Archive::new(&tar_bytes[..]).entries().expect("tar") {
        let mut entry = entry.expect("entry");
        let path = entry.path().expect("path").to_string_lossy().into_owned();
        let mut data = Vec::new();
        entry.read_to_end(&mut data).expect("read entry");
        files.insert(path, data);
    }
    files
}

fn pack(files: &BTreeMap<String, Vec<u8>>) -> Vec<u8> {
    let mut builder = tar::Builder::new(Vec::new());
    for (path, data) in files {
        let mut header = tar::Header::new_gnu();
        header.set_size(data.len() as u64);
        header.set_mode(0o644);
        header.set_cksum();
        builder.append_data(&mut header, path, &data[..]).expect("tar entry");
    }
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    std::io::Write::write_all(&mut gz, &builder.into_inner().expect("tar")).expect("gzip");
    gz.finish().expect("gzip")
}

fn mutate(data: &mut Vec<u8>, rng: &mut Rng) {
    const BYTES: &[u8] = b"{}()|-\"$.\n `/*'";
    for _ in 0..=rng.next() % 4 {
        if data.is_empty() {
            return;
        }
        let at = rng.next() % data.len();
        let byte = BYTES[rng.next() % BYTES.len()];
        match rng.next() % 3 {
            0 => data[at] = byte,
            1 => {
                data.remove(at);
            }
            _ => data.insert(at, byte),
        }
    }
}

#[test]
fn mutated_real_charts_render_or_fail_cleanly() {
    let Some(dir) = corpus() else {
        eprintln!("SKIPPED helm robustness: no ../shared/corpus/charts (set SNAPLINT_CORPUS)");
        return;
    };
    let mut archives: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("corpus dir")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "tgz"))
        .collect();
    archives.sort();
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let info = snaplint::helm::ReleaseInfo {
        name: "r".into(),
        namespace: "default".into(),
    };
    let mut rendered = 0;
    for archive in &archives {
        let files = unpack(&std::fs::read(archive).expect("read archive"));
        for round in 0..ROUNDS {
            let mut broken = files.clone();
            for (path, data) in broken.iter_mut() {
                if path.contains("/templates/") {
                    mutate(data, &mut rng);
                }
            }
            let tgz = pack(&broken);
            let start = Instant::now();
            if let Ok(chart) = snaplint::helm::read_chart(&tgz) {
                let _ = snaplint::helm::render(&chart, &serde_json::json!({}), &info);
                rendered += 1;
            }
            let took = start.elapsed();
            assert!(
                took < Duration::from_secs(20),
                "{} round {round} took {took:?}",
                archive.display()
            );
        }
    }
    eprintln!("{rendered} mutated charts rendered or failed cleanly");
}
