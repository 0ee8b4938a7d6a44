//! Running the `ordo` binary as a user does: commands, `serve` on a free port, plain HTTP to it.
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};

pub fn ordo(dir: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_ordo"));
    c.current_dir(dir).env_remove("ORDO_DATABASE_URL").env_remove("ORDO_SECRET_KEY").env_remove("ORDO_DATA_DIR");
    c
}

pub fn run(cmd: &mut Command) -> (bool, String, String) {
    let out = cmd.output().expect("ordo runs");
    (out.status.success(), String::from_utf8_lossy(&out.stdout).into(), String::from_utf8_lossy(&out.stderr).into())
}

pub fn scratch_dir(label: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("ordo-cli-{label}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Starts `ordo serve` on a free port and waits for its address.
pub fn serve(cmd: &mut Command) -> (Child, String) {
    let mut child = cmd.args(["serve", "--listen", "127.0.0.1:0"]).stderr(Stdio::piped()).spawn().expect("ordo serve starts");
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let addr = loop {
        let line = lines.next().expect("ordo serve printed its address").unwrap();
        if let Some(rest) = line.split("listening on http://").nth(1) {
            break rest.split_whitespace().next().unwrap().to_string();
        }
    };
    std::thread::spawn(move || for _ in lines {});
    (child, addr)
}

pub fn http_get(addr: &str, path: &str, key: Option<&str>) -> (u16, String) {
    http(addr, "GET", path, key, "")
}

pub fn http(addr: &str, method: &str, path: &str, key: Option<&str>, body: &str) -> (u16, String) {
    let mut s = TcpStream::connect(addr).unwrap();
    let auth = key.map(|k| format!("Authorization: Bearer {k}\r\n")).unwrap_or_default();
    write!(
        s,
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\n{auth}Content-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut response = String::new();
    s.read_to_string(&mut response).unwrap();
    let status = response.split_whitespace().nth(1).unwrap().parse().unwrap();
    (status, response.split("\r\n\r\n").nth(1).unwrap_or("").to_string())
}

/// A GET answering bytes (PDFs): the status, the content type and the body. The body is read to the
/// end of the connection, so chunked answers keep their chunk framing; documents are sent whole.
pub fn http_get_bytes(addr: &str, path: &str, key: &str) -> (u16, String, Vec<u8>) {
    let mut s = TcpStream::connect(addr).unwrap();
    write!(s, "GET {path} HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {key}\r\nConnection: close\r\n\r\n").unwrap();
    let mut response = Vec::new();
    s.read_to_end(&mut response).unwrap();
    let end = response.windows(4).position(|w| w == b"\r\n\r\n").expect("an HTTP answer");
    let head = String::from_utf8_lossy(&response[..end]).to_string();
    let status = head.split_whitespace().nth(1).unwrap().parse().unwrap();
    let content_type = head
        .lines()
        .find_map(|l| {
            l.split_once(':').filter(|(k, _)| k.eq_ignore_ascii_case("content-type")).map(|(_, v)| v.trim().to_string())
        })
        .unwrap_or_default();
    (status, content_type, response[end + 4..].to_vec())
}
