//! 50 MiB through the generated client, up and down, with memory that stays flat: the
//! attachment upload streams its file part from disk, the download streams to disk, and
//! neither holds the file in memory. The peak resident memory of this process is reset
//! before each transfer (`/proc/self/clear_refs`) and read after it (`VmHWM`); a client
//! that buffered the file would add at least its 50 MiB.
//!
//! The server is a raw TCP loop that writes and reads the bytes as it goes (wiremock would
//! keep whole bodies, in this same process).

use std::io::Write;

use generated_client::osm::{self, types::UploadAttachmentForm};
use generated_client::runtime::{self, stream::StreamExt as _, Auth, Upload};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

const SIZE: u64 = 50 * 1024 * 1024;
/// How much the peak may grow during a transfer: buffers, TLS-free HTTP framing, the
/// runtime's threads. A buffered 50 MiB file cannot fit.
const FLAT: u64 = 16 * 1024 * 1024;

/// One transfer at a time: the peak is process-wide.
static ONE_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// The byte at `offset` of the test file: a pattern that catches reordering and loss.
fn pattern(offset: u64) -> u8 {
    (offset % 251) as u8
}

fn status_kib(key: &str) -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").expect("/proc/self/status");
    status
        .lines()
        .find_map(|l| l.strip_prefix(key))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or_else(|| panic!("{key} in /proc/self/status"))
}

/// Resets the peak resident set size to the current one and returns it, in bytes.
fn reset_peak() -> u64 {
    std::fs::write("/proc/self/clear_refs", "5").expect("reset the peak RSS");
    status_kib("VmRSS:") * 1024
}

fn peak() -> u64 {
    status_kib("VmHWM:") * 1024
}

/// Reads a request head (up to the empty line); returns its lines.
async fn read_head<R: tokio::io::AsyncBufRead + Unpin>(r: &mut R) -> Vec<String> {
    let mut lines = Vec::new();
    loop {
        let mut line = String::new();
        if r.read_line(&mut line).await.expect("read head") == 0 {
            return lines;
        }
        let line = line.trim_end().to_string();
        if line.is_empty() {
            return lines;
        }
        lines.push(line);
    }
}

fn header<'a>(head: &'a [String], name: &str) -> Option<&'a str> {
    head.iter().find_map(|l| {
        let (k, v) = l.split_once(':')?;
        k.trim().eq_ignore_ascii_case(name).then(|| v.trim())
    })
}

/// What the upload server saw.
#[derive(Debug, Default)]
struct Received {
    head: Vec<String>,
    body_len: u64,
    /// The body's first bytes (the part headers are there).
    start: Vec<u8>,
    /// Bytes of the file part that broke the pattern.
    wrong: u64,
}

/// Serves one upload: reads the body as it comes (Content-Length or chunked), checking the
/// file part against the pattern, and answers an attachment id.
async fn serve_upload(listener: TcpListener) -> Received {
    let (socket, _) = listener.accept().await.expect("accept");
    let (read, mut write) = socket.into_split();
    let mut r = BufReader::with_capacity(64 * 1024, read);
    let mut got = Received {
        head: read_head(&mut r).await,
        ..Received::default()
    };
    let chunked = header(&got.head, "transfer-encoding").is_some_and(|v| v.contains("chunked"));
    let mut remaining: Option<u64> =
        header(&got.head, "content-length").map(|v| v.parse().unwrap());
    let mut buf = vec![0u8; 64 * 1024];
    // The file part starts after the blank line that ends its part headers.
    let mut file_at: Option<u64> = None;
    let mut seen = Vec::new();
    let mut take = |data: &[u8], got: &mut Received| {
        if got.start.len() < 4096 {
            let n = (4096 - got.start.len()).min(data.len());
            got.start.extend_from_slice(&data[..n]);
        }
        for (i, b) in data.iter().enumerate() {
            let at = got.body_len + i as u64;
            match file_at {
                None => {
                    seen.push(*b);
                    if seen.ends_with(b"filename=\"big.bin\"") {
                        seen.clear();
                        seen.extend_from_slice(b"F");
                    } else if seen.starts_with(b"F") && seen.ends_with(b"\r\n\r\n") {
                        file_at = Some(at + 1);
                    } else if seen.len() > 8192 {
                        seen.drain(..4096);
                    }
                }
                Some(start) if at - start < SIZE => {
                    if *b != pattern(at - start) {
                        got.wrong += 1;
                    }
                }
                Some(_) => {}
            }
        }
        got.body_len += data.len() as u64;
    };
    if chunked {
        loop {
            let mut size_line = String::new();
            r.read_line(&mut size_line).await.expect("chunk size");
            let size = u64::from_str_radix(size_line.trim().split(';').next().unwrap(), 16)
                .expect("hex chunk size");
            if size == 0 {
                let _ = read_head(&mut r).await;
                break;
            }
            let mut left = size;
            while left > 0 {
                let want = left.min(buf.len() as u64) as usize;
                let n = r.read(&mut buf[..want]).await.expect("chunk");
                assert!(n > 0, "connection closed inside a chunk");
                take(&buf[..n], &mut got);
                left -= n as u64;
            }
            let mut crlf = [0u8; 2];
            r.read_exact(&mut crlf).await.expect("chunk end");
        }
    } else {
        while remaining != Some(0) {
            let want = remaining.map_or(buf.len(), |left| left.min(buf.len() as u64) as usize);
            let n = r.read(&mut buf[..want]).await.expect("body");
            if n == 0 {
                break;
            }
            take(&buf[..n], &mut got);
            remaining = remaining.map(|left| left - n as u64);
        }
    }
    let body = br#"{"accessory_id":"a1b2c3"}"#;
    let answer = format!(
        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nX-Request-Id: up-1\r\nConnection: close\r\n\r\n",
        body.len()
    );
    write.write_all(answer.as_bytes()).await.unwrap();
    write.write_all(body).await.unwrap();
    write.shutdown().await.ok();
    got
}

/// Serves one download of SIZE pattern bytes, written 64 KiB at a time.
async fn serve_download(listener: TcpListener) -> Vec<String> {
    let (socket, _) = listener.accept().await.expect("accept");
    let (read, mut write) = socket.into_split();
    let mut r = BufReader::new(read);
    let head = read_head(&mut r).await;
    let answer = format!(
        "HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: {SIZE}\r\nContent-Disposition: attachment; filename=\"report.bin\"; filename*=UTF-8''%E6%8A%A5%E5%91%8A.bin\r\nX-Request-Id: down-1\r\nConnection: close\r\n\r\n"
    );
    write.write_all(answer.as_bytes()).await.unwrap();
    let mut chunk = vec![0u8; 64 * 1024];
    let mut sent = 0u64;
    while sent < SIZE {
        let n = (SIZE - sent).min(chunk.len() as u64) as usize;
        for (i, b) in chunk[..n].iter_mut().enumerate() {
            *b = pattern(sent + i as u64);
        }
        if write.write_all(&chunk[..n]).await.is_err() {
            break;
        }
        sent += n as u64;
    }
    write.shutdown().await.ok();
    head
}

fn client(addr: std::net::SocketAddr, auth: Auth) -> osm::Client {
    osm::Client::builder()
        .endpoint(format!("http://{addr}"))
        .auth(auth)
        .build()
        .expect("client")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_50_mib_upload_streams_from_disk_with_flat_memory() {
    let _one = ONE_AT_A_TIME.lock().await;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("big.bin");
    {
        let mut f = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
        let mut block = vec![0u8; 1 << 20];
        for mb in 0..(SIZE >> 20) {
            for (i, b) in block.iter_mut().enumerate() {
                *b = pattern((mb << 20) + i as u64);
            }
            f.write_all(&block).unwrap();
        }
    }
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let server = tokio::spawn(serve_upload(listener));
    // Signed with an access key: a streamed body is signed as UNSIGNED-PAYLOAD.
    let client = client(
        addr,
        Auth::ak_sk("AK0123", "secret-key").with_domain_id("domain-1"),
    );

    let before = reset_peak();
    let answer = client
        .upload_attachment(
            UploadAttachmentForm::new(
                r#"{"fileName":"big.bin","accessoryFrom":"incident","uploadType":0}"#,
            ),
            Upload::path(&path),
        )
        .send()
        .await
        .expect("upload");
    let grown = peak().saturating_sub(before);

    assert_eq!(answer.accessory_id.as_deref(), Some("a1b2c3"));
    let got = server.await.unwrap();
    let start = String::from_utf8_lossy(&got.start);
    assert!(
        got.head[0].starts_with("POST /v2/servicerequest/accessorys "),
        "{:?}",
        got.head[0]
    );
    assert!(
        header(&got.head, "content-type")
            .is_some_and(|v| v.starts_with("multipart/form-data; boundary=")),
        "{:?}",
        got.head
    );
    assert_eq!(
        header(&got.head, "x-sdk-content-sha256"),
        Some("UNSIGNED-PAYLOAD")
    );
    assert!(start.contains("name=\"form_data\""), "{start}");
    assert!(
        start.contains("name=\"file\"; filename=\"big.bin\""),
        "{start}"
    );
    assert!(
        got.body_len > SIZE && got.body_len < SIZE + 2048,
        "body of {} bytes",
        got.body_len
    );
    assert_eq!(got.wrong, 0, "the file part arrived intact");
    assert!(
        grown < FLAT,
        "the peak resident memory grew by {} MiB during a {} MiB upload",
        grown >> 20,
        SIZE >> 20
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_50_mib_download_streams_to_disk_with_flat_memory() {
    let _one = ONE_AT_A_TIME.lock().await;
    let dir = tempfile::tempdir().unwrap();
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let server = tokio::spawn(serve_download(listener));
    let client = client(addr, Auth::iam_token("token"));

    let before = reset_peak();
    let file = client
        .download_attachment("att-1")
        .group_id("group-7")
        .send()
        .await
        .expect("download");
    assert_eq!(file.content_length(), Some(SIZE));
    assert_eq!(
        file.content_type().as_deref(),
        Some("application/octet-stream")
    );
    assert_eq!(
        file.file_name().as_deref(),
        Some("报告.bin"),
        "filename* wins"
    );
    assert_eq!(file.request_id().as_deref(), Some("down-1"));
    let out = dir.path().join("out.bin");
    let written = file.save_to(&out).await.expect("saved");
    let grown = peak().saturating_sub(before);

    let head = server.await.unwrap();
    assert_eq!(
        head[0],
        "GET /v2/servicerequest/accessorys/att-1?group_id=group-7 HTTP/1.1"
    );
    assert_eq!(written, SIZE);
    let mut f = std::io::BufReader::new(std::fs::File::open(&out).unwrap());
    let mut buf = vec![0u8; 1 << 20];
    let mut offset = 0u64;
    loop {
        let n = std::io::Read::read(&mut f, &mut buf).unwrap();
        if n == 0 {
            break;
        }
        assert!(
            buf[..n]
                .iter()
                .enumerate()
                .all(|(i, b)| *b == pattern(offset + i as u64)),
            "the file differs near byte {offset}"
        );
        offset += n as u64;
    }
    assert_eq!(offset, SIZE);
    assert!(
        grown < FLAT,
        "the peak resident memory grew by {} MiB during a {} MiB download",
        grown >> 20,
        SIZE >> 20
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_download_read_as_a_stream_and_one_read_whole_past_the_limit() {
    let _one = ONE_AT_A_TIME.lock().await;
    // As a stream: every byte, in order, chunk by chunk.
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let server = tokio::spawn(serve_download(listener));
    let file = client(addr, Auth::iam_token("t"))
        .download_attachment("att-2")
        .send()
        .await
        .expect("download");
    let before = reset_peak();
    let mut chunks = std::pin::pin!(file.into_stream());
    let mut offset = 0u64;
    while let Some(chunk) = chunks.next().await {
        let chunk = chunk.expect("chunk");
        assert!(chunk
            .iter()
            .enumerate()
            .all(|(i, b)| *b == pattern(offset + i as u64)));
        offset += chunk.len() as u64;
    }
    assert_eq!(offset, SIZE);
    assert!(peak().saturating_sub(before) < FLAT);
    server.await.unwrap();

    // Read whole, the client's body limit applies: refused from the Content-Length.
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let server = tokio::spawn(serve_download(listener));
    let client = osm::Client::builder()
        .endpoint(format!("http://{addr}"))
        .auth(Auth::iam_token("t"))
        .max_body_bytes(1024 * 1024)
        .build()
        .unwrap();
    let file = client
        .download_attachment("att-3")
        .send()
        .await
        .expect("download");
    match file.bytes().await {
        Err(runtime::Error::BodyTooLarge { limit, .. }) => assert_eq!(limit, 1024 * 1024),
        other => panic!("expected BodyTooLarge, got {other:?}"),
    }
    server.abort();
}
