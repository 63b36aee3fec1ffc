//! Files in and out, and paging: [`Upload`] (a file part of a multipart body, streamed from
//! disk), [`Download`] (a file answered by the server, streamed to the caller), and
//! [`paginate`], which turns a list operation into a stream of its items.

use std::future::Future;
use std::path::{Path, PathBuf};

use bytes::Bytes;
use futures_util::stream::{self, Stream, StreamExt};

use super::error::Error;
use super::request::{Part, PartData};
use super::response::Response;

/// A file to upload as one part of a multipart body: from disk (streamed when sent, never
/// read whole, reopened on a retry) or from memory. The part's field name comes from the
/// operation; the file name defaults to the file's own name.
#[derive(Debug, Clone)]
pub struct Upload {
    data: PartData,
    filename: Option<String>,
    content_type: Option<String>,
}

impl Upload {
    /// The file at `path`, streamed from disk when the request is sent.
    pub fn path(path: impl Into<PathBuf>) -> Self {
        Upload {
            data: PartData::File(path.into()),
            filename: None,
            content_type: None,
        }
    }

    /// Bytes in memory, sent as a file named `filename`.
    pub fn bytes(filename: impl Into<String>, data: impl Into<Bytes>) -> Self {
        Upload {
            data: PartData::Bytes(data.into()),
            filename: Some(filename.into()),
            content_type: None,
        }
    }

    /// Sets the file name sent (instead of the file's own name).
    pub fn with_filename(mut self, filename: impl Into<String>) -> Self {
        self.filename = Some(filename.into());
        self
    }

    /// Sets the part's content type (`application/octet-stream` when not set).
    pub fn with_content_type(mut self, content_type: impl Into<String>) -> Self {
        self.content_type = Some(content_type.into());
        self
    }

    /// The multipart part named `field`.
    pub fn into_part(self, field: &str) -> Part {
        Part {
            name: field.to_string(),
            filename: self.filename,
            content_type: Some(
                self.content_type
                    .unwrap_or_else(|| "application/octet-stream".to_string()),
            ),
            data: self.data,
        }
    }
}

/// A file answered by the server (a 2xx binary body), not read yet: its name, type and
/// length from the headers, and its bytes as a stream ([`Download::into_stream`]) or written
/// to disk chunk by chunk, so a large file is never held whole in memory: under the server's
/// name in a directory ([`Download::save_in`], which refuses a name that is not a plain file
/// name and never replaces a file) or at a path of your own ([`Download::save_to`]). [`Download::bytes`] reads it whole, within the client's body limit.
#[derive(Debug)]
pub struct Download {
    response: Response,
}

impl Download {
    /// Wraps a response whose body is the file.
    pub fn new(response: Response) -> Self {
        Download { response }
    }

    /// The HTTP status.
    pub fn status(&self) -> u16 {
        self.response.status()
    }

    /// The request id (`X-Request-Id`), when the server sent one.
    pub fn request_id(&self) -> Option<String> {
        self.response.request_id()
    }

    /// The `Content-Type` the server gave.
    pub fn content_type(&self) -> Option<String> {
        self.response.content_type()
    }

    /// The length from `Content-Length`, when the server gave it.
    pub fn content_length(&self) -> Option<u64> {
        self.response.header("content-length")?.trim().parse().ok()
    }

    /// The file name from `Content-Disposition` (`filename*=UTF-8''...` preferred to
    /// `filename=`), reduced to its last path component: never a path, never empty, never
    /// `.` or `..`, without control characters.
    pub fn file_name(&self) -> Option<String> {
        content_disposition_file_name(&self.response.header("content-disposition")?)
    }

    /// The response headers.
    pub fn headers(&self) -> &reqwest::header::HeaderMap {
        self.response.headers()
    }

    /// The body as a stream of chunks, as they arrive.
    pub fn into_stream(self) -> impl Stream<Item = Result<Bytes, Error>> + Send + 'static {
        self.response
            .bytes_stream()
            .map(|chunk| chunk.map_err(Error::transport))
    }

    /// Writes the body to `path` chunk by chunk and returns the number of bytes written.
    ///
    /// The file is created, or **truncated and replaced** when it exists. `path` is taken as
    /// it is: never build it from [`Download::file_name`] (the server would choose which
    /// file in the directory is overwritten, `Cargo.toml` or `.bashrc`); use
    /// [`Download::save_in`] for the server's name. When the transfer fails midway, the
    /// partial file is removed and the error returned.
    pub async fn save_to(self, path: impl AsRef<Path>) -> Result<u64, Error> {
        let path = path.as_ref();
        let file = tokio::fs::File::create(path)
            .await
            .map_err(|e| write_error(path, e))?;
        self.write_file(file, path).await
    }

    /// Writes the body into the directory `dir` under the name the server suggests
    /// (`Content-Disposition`), and returns the path written.
    ///
    /// The name is used only when it is a plain file name: it is refused
    /// ([`Error::Save`], nothing written) when there is none, or it is empty, `.`
    /// or `..`, starts with `.` (a hidden file such as `.bashrc`), or holds a path separator
    /// (`/`, `\`) or a control character. An existing file is never replaced: the file is
    /// created new, and a name already taken in `dir` is an error. When the transfer fails
    /// midway, the partial file is removed and the error returned. To save under a name of
    /// your own, use [`Download::save_to`].
    pub async fn save_in(self, dir: impl AsRef<Path>) -> Result<PathBuf, Error> {
        let header = self.response.header("content-disposition");
        let name = header
            .as_deref()
            .and_then(content_disposition_raw_name)
            .ok_or_else(|| {
                Error::Save(
                    "the download has no file name (Content-Disposition); save it with save_to"
                        .to_owned(),
                )
            })?;
        check_plain_file_name(&name)?;
        let path = dir.as_ref().join(&name);
        let file = tokio::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)
            .await
            .map_err(|e| write_error(&path, e))?;
        self.write_file(file, &path).await?;
        Ok(path)
    }

    /// Streams the body into `file` (just created at `path`); on any failure the file is
    /// removed.
    async fn write_file(self, mut file: tokio::fs::File, path: &Path) -> Result<u64, Error> {
        use tokio::io::AsyncWriteExt;
        let mut written = 0u64;
        let result = async {
            let mut chunks = std::pin::pin!(self.into_stream());
            while let Some(chunk) = chunks.next().await {
                let chunk = chunk?;
                file.write_all(&chunk)
                    .await
                    .map_err(|e| write_error(path, e))?;
                written += chunk.len() as u64;
            }
            file.flush().await.map_err(|e| write_error(path, e))
        }
        .await;
        drop(file);
        match result {
            Ok(()) => Ok(written),
            Err(e) => {
                // A truncated file must not pass for the download; the transfer's error is
                // the one reported, whether or not the removal succeeds.
                let _ = tokio::fs::remove_file(path).await;
                Err(e)
            }
        }
    }

    /// The whole body, within the client's body limit ([`Error::BodyTooLarge`] beyond).
    pub async fn bytes(self) -> Result<Bytes, Error> {
        self.response.bytes().await
    }

    /// The response itself.
    pub fn into_response(self) -> Response {
        self.response
    }
}

/// The file name of a `Content-Disposition` value (RFC 6266): `filename*` (RFC 5987,
/// percent-encoded UTF-8) wins over `filename` (quoted or a token). Only the last path
/// component is kept; an empty name, `.` and `..` give `None`; control characters are
/// dropped.
pub fn content_disposition_file_name(value: &str) -> Option<String> {
    let name = content_disposition_raw_name(value)?;
    let last = name
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or("")
        .chars()
        .filter(|c| !c.is_control())
        .collect::<String>();
    let last = last.trim().to_string();
    if last.is_empty() || last == "." || last == ".." {
        None
    } else {
        Some(last)
    }
}

/// The file name of a `Content-Disposition` value as the server wrote it (decoded, not
/// reduced to a file name): `filename*` (RFC 5987, UTF-8) wins over `filename`.
fn content_disposition_raw_name(value: &str) -> Option<String> {
    let mut plain = None;
    let mut extended = None;
    for param in split_params(value).into_iter().skip(1) {
        let Some((key, val)) = param.split_once('=') else {
            continue;
        };
        let key = key.trim().to_ascii_lowercase();
        let val = val.trim();
        if key == "filename*" {
            // charset'language'percent-encoded
            let mut pieces = val.splitn(3, '\'');
            let charset = pieces.next().unwrap_or("");
            let _language = pieces.next();
            if let Some(encoded) = pieces.next() {
                if charset.eq_ignore_ascii_case("utf-8") {
                    extended = percent_encoding::percent_decode_str(encoded)
                        .decode_utf8()
                        .ok()
                        .map(|s| s.into_owned());
                }
            }
        } else if key == "filename" {
            plain = Some(unquote(val));
        }
    }
    extended.or(plain)
}

/// Refuses a server-suggested file name that is not a plain, visible file name of the
/// directory it is saved in (see [`Download::save_in`]).
fn check_plain_file_name(name: &str) -> Result<(), Error> {
    let problem = if name.is_empty() {
        Some("it is empty")
    } else if name == "." || name == ".." {
        Some("it names a directory")
    } else if name.starts_with('.') {
        Some("it starts with a dot (a hidden file)")
    } else if name.contains(['/', '\\']) {
        Some("it holds a path separator")
    } else if name.chars().any(char::is_control) {
        Some("it holds control characters")
    } else if cfg!(windows) && name.contains(':') {
        Some("it holds a colon")
    } else {
        None
    };
    match problem {
        None => Ok(()),
        Some(problem) => Err(Error::Save(format!(
            "the server's file name \"{}\" is refused: {problem}; save the download with save_to",
            super::error::escape_control(&super::error::bounded(name, 256))
        ))),
    }
}

/// The error of a file that cannot be created or written.
fn write_error(path: &Path, e: std::io::Error) -> Error {
    Error::Save(format!("cannot write {}: {e}", path.display()))
}

/// Splits a header value at `;` outside quotes.
fn split_params(value: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut quoted = false;
    let mut escaped = false;
    for (i, c) in value.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' if quoted => escaped = true,
            '"' => quoted = !quoted,
            ';' if !quoted => {
                out.push(&value[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    out.push(&value[start..]);
    out
}

fn unquote(v: &str) -> String {
    match v.strip_prefix('"').and_then(|v| v.strip_suffix('"')) {
        Some(inner) => {
            let mut out = String::with_capacity(inner.len());
            let mut chars = inner.chars();
            while let Some(c) = chars.next() {
                if c == '\\' {
                    if let Some(n) = chars.next() {
                        out.push(n);
                    }
                } else {
                    out.push(c);
                }
            }
            out
        }
        None => v.to_string(),
    }
}

/// How a list operation pages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Paging {
    /// By item offset: the next page starts after the items received so far.
    Offset,
    /// By page number: the next page is the next number.
    Page,
}

/// One page of a list operation: its items and, when the response says it, the total
/// number of items of the whole listing.
#[derive(Debug, Clone, PartialEq)]
pub struct Page<T> {
    /// The items of this page.
    pub items: Vec<T>,
    /// The total count, when the response carries one.
    pub total: Option<u64>,
}

/// Pages through a list operation as a stream of its items. `fetch(position)` requests the
/// page at `position` (an offset, or a page number, by `paging`), starting at `start`;
/// `size` is the page size asked for, when known. The stream ends after the last item: on
/// an empty page, a page shorter than `size`, or when the total count is reached. An error
/// is yielded once and ends the stream. Pages are fetched one at a time, when the items of
/// the previous one have been consumed.
pub fn paginate<T, F, Fut>(
    paging: Paging,
    start: u64,
    size: Option<u64>,
    fetch: F,
) -> impl Stream<Item = Result<T, Error>>
where
    F: FnMut(u64) -> Fut,
    Fut: Future<Output = Result<Page<T>, Error>>,
{
    struct State<F> {
        fetch: F,
        position: u64,
        seen: u64,
        done: bool,
    }
    let state = State {
        fetch,
        position: start,
        seen: 0,
        done: false,
    };
    stream::unfold(state, move |mut st| async move {
        if st.done {
            return None;
        }
        let batch: Vec<Result<T, Error>> = match (st.fetch)(st.position).await {
            Err(e) => {
                st.done = true;
                vec![Err(e)]
            }
            Ok(page) => {
                let n = page.items.len() as u64;
                st.seen += n;
                let reached_total = match (paging, page.total) {
                    (Paging::Offset, Some(total)) => st.position.saturating_add(n) >= total,
                    (Paging::Page, Some(total)) => match size {
                        Some(s) if s > 0 => st.position.saturating_mul(s) >= total,
                        _ => st.seen >= total,
                    },
                    (_, None) => false,
                };
                let short = size.is_some_and(|s| n < s);
                st.done = n == 0 || reached_total || short;
                st.position = match paging {
                    Paging::Offset => st.position.saturating_add(n),
                    Paging::Page => st.position.saturating_add(1),
                };
                page.items.into_iter().map(Ok).collect()
            }
        };
        Some((stream::iter(batch), st))
    })
    .flatten()
    // Polling again after the end keeps answering the end.
    .fuse()
}

/// Converts a page position to the type of the parameter that carries it.
pub fn page_position<T: TryFrom<u64>>(position: u64, name: &str) -> Result<T, Error> {
    T::try_from(position).map_err(|_| {
        Error::InvalidRequest(format!(
            "paging: the position {position} does not fit the parameter `{name}`"
        ))
    })
}

/// Converts a total count of any integer type to `u64` (a negative one is no total).
pub fn page_total<T: TryInto<u64>>(total: T) -> Option<u64> {
    total.try_into().ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::{Arc, Mutex};

    #[test]
    fn file_names_from_content_disposition() {
        let f = content_disposition_file_name;
        assert_eq!(
            f("attachment; filename=\"a b.pdf\"").as_deref(),
            Some("a b.pdf")
        );
        assert_eq!(
            f("attachment; filename=plain.txt").as_deref(),
            Some("plain.txt")
        );
        // filename* (RFC 5987) wins, wherever it stands.
        assert_eq!(
            f("attachment; filename*=UTF-8''%E6%8A%A5%E5%91%8A.pdf; filename=\"report.pdf\"")
                .as_deref(),
            Some("报告.pdf")
        );
        // Quoted `;` and escapes stay in the name.
        assert_eq!(
            f(r#"attachment; filename="a;b \"c\".txt""#).as_deref(),
            Some("a;b \"c\".txt")
        );
        // Paths are reduced to their last component; nothing that names a directory.
        assert_eq!(
            f("attachment; filename=\"../../etc/passwd\"").as_deref(),
            Some("passwd")
        );
        assert_eq!(
            f("attachment; filename=\"C:\\\\temp\\\\x.exe\"").as_deref(),
            Some("x.exe")
        );
        assert_eq!(f("attachment; filename=\"..\""), None);
        assert_eq!(f("attachment; filename=\"dir/\""), None);
        assert_eq!(f("attachment; filename=\"\""), None);
        assert_eq!(f("attachment"), None);
        // Control characters are dropped; an unknown charset is ignored.
        assert_eq!(f("attachment; filename=\"a\u{7}b\"").as_deref(), Some("ab"));
        assert_eq!(
            f("attachment; filename*=ISO-8859-1''%E9t%E9.txt; filename=ete.txt").as_deref(),
            Some("ete.txt")
        );
    }

    #[test]
    fn only_plain_visible_file_names_are_saved_under_the_servers_name() {
        for ok in ["report.pdf", "报告 2024.pdf", "a..b", "x"] {
            assert!(check_plain_file_name(ok).is_ok(), "{ok}");
        }
        for bad in [
            "",
            ".",
            "..",
            ".bashrc",
            "../Cargo.toml",
            "dir/x",
            "C:\\x.exe",
            "a\u{1b}[2Jb",
            "a\nb",
        ] {
            let err = check_plain_file_name(bad).unwrap_err().to_string();
            assert!(err.contains("is refused"), "{bad:?}: {err}");
            assert!(!err.contains('\u{1b}') && !err.contains('\n'), "{err:?}");
        }
        // The raw name keeps what the server wrote, so a path is refused, not reduced.
        assert_eq!(
            content_disposition_raw_name("attachment; filename=\"../x\"").as_deref(),
            Some("../x")
        );
    }

    #[test]
    fn an_upload_becomes_a_named_part() {
        let p = Upload::path("/tmp/x/report.pdf").into_part("file");
        assert_eq!(p.name, "file");
        assert_eq!(p.filename, None, "the file's own name is sent");
        assert_eq!(p.content_type.as_deref(), Some("application/octet-stream"));
        assert!(matches!(p.data, PartData::File(ref path) if path.ends_with("report.pdf")));
        let p = Upload::bytes("a.txt", &b"hi"[..])
            .with_content_type("text/plain")
            .with_filename("b.txt")
            .into_part("doc");
        assert_eq!(p.filename.as_deref(), Some("b.txt"));
        assert_eq!(p.content_type.as_deref(), Some("text/plain"));
    }

    /// Pages of `sizes` items (numbered across pages), recording the positions asked for;
    /// `fail_at` makes that call fail.
    async fn run(
        paging: Paging,
        start: u64,
        size: Option<u64>,
        sizes: Vec<u64>,
        total: Option<u64>,
        fail_at: Option<usize>,
    ) -> (Vec<Result<u64, String>>, Vec<u64>) {
        let asked = Arc::new(Mutex::new(Vec::new()));
        let log = asked.clone();
        let mut calls = 0usize;
        let mut next = 0u64;
        let stream = paginate(paging, start, size, move |position| {
            log.lock().unwrap().push(position);
            let i = calls;
            calls += 1;
            let n = sizes.get(i).copied().unwrap_or(0);
            let items: Vec<u64> = (next..next + n).collect();
            next += n;
            async move {
                if fail_at == Some(i) {
                    return Err(Error::InvalidRequest(format!("page {i} failed")));
                }
                Ok(Page { items, total })
            }
        });
        let got: Vec<Result<u64, String>> =
            stream.map(|r| r.map_err(|e| e.to_string())).collect().await;
        let asked = asked.lock().unwrap().clone();
        (got, asked)
    }

    fn ok(range: std::ops::Range<u64>) -> Vec<Result<u64, String>> {
        range.map(Ok).collect()
    }

    #[tokio::test]
    async fn offsets_advance_by_the_items_received_and_stop_at_the_total() {
        let (got, asked) = run(Paging::Offset, 0, Some(2), vec![2, 2, 1], Some(5), None).await;
        assert_eq!(got, ok(0..5));
        assert_eq!(asked, [0, 2, 4]);
        // Exactly at the total after a full page: no extra request.
        let (got, asked) = run(Paging::Offset, 0, Some(2), vec![2, 2], Some(4), None).await;
        assert_eq!(got, ok(0..4));
        assert_eq!(asked, [0, 2]);
        // Starting elsewhere.
        let (_, asked) = run(Paging::Offset, 10, Some(5), vec![5, 3], None, None).await;
        assert_eq!(asked, [10, 15]);
    }

    #[tokio::test]
    async fn a_short_or_empty_page_ends_the_stream_without_a_total() {
        let (got, asked) = run(Paging::Offset, 0, Some(3), vec![3, 3, 2, 9], None, None).await;
        assert_eq!(got, ok(0..8));
        assert_eq!(asked, [0, 3, 6]);
        // Without a page size, only an empty page ends it.
        let (got, asked) = run(Paging::Offset, 0, None, vec![3, 1, 0], None, None).await;
        assert_eq!(got, ok(0..4));
        assert_eq!(asked, [0, 3, 4]);
    }

    #[tokio::test]
    async fn page_numbers_advance_by_one() {
        let (got, asked) = run(Paging::Page, 1, Some(2), vec![2, 2, 2, 2], Some(5), None).await;
        assert_eq!(
            got,
            ok(0..6),
            "the third page (5..6 of 5) is the last by the total"
        );
        assert_eq!(asked, [1, 2, 3]);
        let (got, asked) = run(Paging::Page, 1, None, vec![2, 2, 2], Some(4), None).await;
        assert_eq!(got, ok(0..4));
        assert_eq!(asked, [1, 2]);
    }

    #[tokio::test]
    async fn an_error_is_yielded_once_and_ends_the_stream() {
        let (got, asked) = run(Paging::Offset, 0, Some(2), vec![2, 2, 2], None, Some(1)).await;
        assert_eq!(got.len(), 3);
        assert_eq!(got[..2], ok(0..2)[..]);
        assert!(got[2].as_ref().is_err_and(|e| e.contains("page 1 failed")));
        assert_eq!(asked, [0, 2]);
    }

    #[tokio::test]
    async fn pages_are_fetched_as_items_are_consumed() {
        let asked = Arc::new(Mutex::new(0u32));
        let log = asked.clone();
        let stream = paginate(Paging::Offset, 0, Some(2), move |p| {
            *log.lock().unwrap() += 1;
            async move {
                Ok(Page {
                    items: vec![p, p + 1],
                    total: None,
                })
            }
        });
        let first: Vec<Result<u64, Error>> = stream.take(3).collect().await;
        assert_eq!(first.len(), 3);
        assert_eq!(
            *asked.lock().unwrap(),
            2,
            "two pages for three items, not more"
        );
    }

    #[test]
    fn positions_convert_to_the_parameter_type() {
        assert_eq!(page_position::<i32>(7, "offset").unwrap(), 7);
        assert!(page_position::<i32>(u64::MAX, "offset").is_err());
        assert_eq!(page_total(-1i32), None);
        assert_eq!(page_total(12i64), Some(12));
    }
}
