//! What the document tests share: the sample documents, and the Debian tools that read a PDF back —
//! `pdftoppm` and `pdftotext` (package `poppler-utils`) and `zbarimg` (package `zbar-tools`).
//! A missing tool fails the test with the package to install; nothing is skipped.

#![allow(dead_code)] // each test file uses its own part of this

pub mod samples;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};

/// The path of `tool`, or a failed test naming the Debian `package` that provides it.
fn tool(tool: &str, package: &str) -> PathBuf {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .map(|dir| dir.join(tool))
        .find(|candidate| candidate.is_file())
        .unwrap_or_else(|| panic!("`{tool}` is not on PATH; install the Debian package {package} (apt-get install {package})"))
}

/// Runs a tool to completion; its output, or a failed test with its error output.
fn run(command: &mut Command) -> std::process::Output {
    let output = command.output().unwrap_or_else(|error| panic!("{command:?} could not run: {error}"));
    assert!(output.status.success(), "{command:?} failed: {}", String::from_utf8_lossy(&output.stderr));
    output
}

/// A folder of its own under the system's temporary folder, removed when dropped.
pub struct Scratch(PathBuf);

impl Scratch {
    pub fn new() -> Scratch {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let name = format!("ordo-docs-test-{}-{}", std::process::id(), NEXT.fetch_add(1, Ordering::Relaxed));
        let dir = std::env::temp_dir().join(name);
        std::fs::create_dir_all(&dir).expect("the temporary folder is writable");
        Scratch(dir)
    }

    pub fn path(&self) -> &Path {
        &self.0
    }

    /// Writes `pdf` into the folder as `doc.pdf` and returns its path.
    pub fn pdf(&self, pdf: &[u8]) -> PathBuf {
        let path = self.0.join("doc.pdf");
        std::fs::write(&path, pdf).expect("the temporary folder is writable");
        path
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Every page of `pdf` as a PNG rendered at 300 dpi, in page order.
pub fn pages_at_300_dpi(scratch: &Scratch, pdf: &[u8]) -> Vec<PathBuf> {
    let file = scratch.pdf(pdf);
    let prefix = scratch.path().join("page");
    run(Command::new(tool("pdftoppm", "poppler-utils")).args(["-r", "300", "-png"]).arg(&file).arg(&prefix));
    let mut pages: Vec<PathBuf> = std::fs::read_dir(scratch.path())
        .expect("the temporary folder is readable")
        .map(|entry| entry.expect("a readable entry").path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "png"))
        .collect();
    // pdftoppm numbers pages with as many digits as the last one needs, so names sort in page order.
    pages.sort();
    pages
}

/// The width and height in pixels of a PNG file.
pub fn png_size(png: &Path) -> (u32, u32) {
    let bytes = std::fs::read(png).expect("the PNG is readable");
    let field = |at: usize| u32::from_be_bytes(bytes[at..at + 4].try_into().expect("a PNG header"));
    (field(16), field(20))
}

/// The texts of every Code 128 and QR symbol zbarimg finds on a page.
pub fn decode(png: &Path) -> Vec<String> {
    let zbarimg = tool("zbarimg", "zbar-tools");
    let output = Command::new(zbarimg)
        .args(["--raw", "-q", "-Sdisable", "-Scode128.enable", "-Sqrcode.enable"])
        .arg(png)
        .output()
        .expect("zbarimg runs");
    // zbarimg exits 4 when it finds no symbol at all.
    assert!(matches!(output.status.code(), Some(0 | 4)), "zbarimg failed: {}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8(output.stdout).expect("decoded texts are UTF-8").lines().map(str::to_string).collect()
}

/// The symbols decoded from every page of `pdf` at 300 dpi, sorted.
pub fn decode_all(pdf: &[u8]) -> Vec<String> {
    let scratch = Scratch::new();
    let mut texts: Vec<String> = pages_at_300_dpi(&scratch, pdf).iter().flat_map(|page| decode(page)).collect();
    texts.sort();
    texts
}

/// The text of `pdf` as pdftotext extracts it in reading order, every run of spaces and line breaks
/// made one space (so text wrapped over lines reads as one), pages separated by form feeds.
pub fn text(pdf: &[u8]) -> String {
    pdftotext(pdf, &[])
}

/// Like [`text`], but laid out as on the page: what stands side by side (a label and its value)
/// comes out side by side.
pub fn layout_text(pdf: &[u8]) -> String {
    pdftotext(pdf, &["-layout"])
}

fn pdftotext(pdf: &[u8], options: &[&str]) -> String {
    let scratch = Scratch::new();
    let file = scratch.pdf(pdf);
    let output = run(Command::new(tool("pdftotext", "poppler-utils")).args(options).arg(&file).arg("-"));
    let text = String::from_utf8(output.stdout).expect("pdftotext writes UTF-8");
    text.split('\u{c}').map(|page| page.split_whitespace().collect::<Vec<_>>().join(" ")).collect::<Vec<_>>().join("\u{c}")
}

/// How many pages pdftotext found in `text` (it ends every page with a form feed).
pub fn page_count(text: &str) -> usize {
    text.matches('\u{c}').count()
}

/// Asserts that every one of `needles` is in `haystack`, naming the first that is not.
pub fn assert_contains_all<S: AsRef<str>>(haystack: &str, needles: &[S]) {
    for needle in needles {
        assert!(haystack.contains(needle.as_ref()), "{:?} is not in the text:\n{haystack}", needle.as_ref());
    }
}

/// The page rendered at the thermal printer's 203 dpi in grey without anti-aliasing, as a
/// (width, height, pixels) greymap: each printer dot one pixel.
pub fn page_at_203_dpi(pdf: &[u8]) -> (usize, usize, Vec<u8>) {
    let scratch = Scratch::new();
    let file = scratch.pdf(pdf);
    let output = run(Command::new(tool("pdftoppm", "poppler-utils"))
        .args(["-r", "203", "-gray", "-aa", "no", "-aaVector", "no", "-singlefile"])
        .arg(&file));
    // A binary greymap: "P5", width, height, maximum value, one whitespace, then the pixels.
    let bytes = output.stdout;
    let mut fields = Vec::new();
    let mut at = 0;
    while fields.len() < 4 {
        while bytes[at].is_ascii_whitespace() {
            at += 1;
        }
        let start = at;
        while !bytes[at].is_ascii_whitespace() {
            at += 1;
        }
        fields.push(String::from_utf8_lossy(&bytes[start..at]).to_string());
    }
    assert_eq!(fields[0], "P5", "pdftoppm -gray writes a binary greymap");
    let (width, height) = (fields[1].parse().expect("a width"), fields[2].parse().expect("a height"));
    (width, height, bytes[at + 1..].to_vec())
}
