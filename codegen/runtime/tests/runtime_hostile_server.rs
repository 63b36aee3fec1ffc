//! Hostile configuration and hostile servers: token URLs that would send the client secret
//! in the clear, token endpoints echoing the secret encoded, metadata dates that overflow,
//! passwords in token URLs, and decoder messages quoting values.

// The file covers the client-credentials exchange and the metadata provider: it is empty
// unless both features are on (`cargo test -p codegen-runtime --all-features`).
#![cfg(all(feature = "client-credentials", feature = "huawei-aksk"))]

use codegen_runtime as runtime;

use percent_encoding::{utf8_percent_encode, NON_ALPHANUMERIC};
use reqwest::Method;
use runtime::credentials::parse_rfc3339;
use runtime::*;
use wiremock::matchers::{any, method, path};
use wiremock::{Mock, MockServer, Respond, ResponseTemplate};

/// What the token URL checks say is allowed.
const ALLOWED: &str = "https";

/// Token URLs that are neither `https://` nor a path on the API's host: absolute `http`
/// URLs and what WHATWG URL parsers read as such, other schemes, other hosts without a
/// scheme. `{host}` is replaced by a host and port.
const NOT_ALLOWED: &[&str] = &[
    "http://{host}/steal",
    "HTTP://{host}/steal",
    "http:{host}/steal",
    "HTTP:\\\\{host}\\steal",
    "http:/{host}/steal",
    "http:\\{host}/steal",
    "//{host}/steal",
    "/\\{host}/steal",
    "\\\\{host}/steal",
    "ftp://{host}/steal",
    "{host}/steal",
    "https:///steal",
    "https:\\\\{host}/steal",
    "https:{host}/steal",
    "",
];

fn hostile(template: &str, host: &str) -> String {
    template.replace("{host}", host)
}

#[test]
fn token_url_refuses_what_is_not_https_or_a_path() {
    let base = "https://api.example/service/AICC__Case/1.0.0";
    for template in NOT_ALLOWED {
        let url = hostile(template, "attacker.example");
        match token_url(base, &url) {
            Err(Error::Config(m)) => {
                assert!(
                    m.contains(ALLOWED) && m.contains("path"),
                    "{url:?}: the message should say what is allowed: {m}"
                );
            }
            other => panic!("{url:?} was not refused: {other:?}"),
        }
    }
    // The message shows the URL as written, without its password.
    for url in [
        "http://machine:URL-PASSWORD@attacker.example/steal",
        "http:machine:URL-PASSWORD@attacker.example/steal",
        "HTTP:\\\\machine:URL-PASSWORD@attacker.example\\steal",
    ] {
        let Err(Error::Config(m)) = token_url(base, url) else {
            panic!("{url:?} was not refused")
        };
        assert!(!m.contains("URL-PASSWORD"), "{m}");
        assert!(m.contains("attacker.example"), "{m}");
    }
    // Allowed: an https URL (the scheme in any case), a path on the API's host.
    for (url, resolved) in [
        (
            "https://iam.example/oauth2/token",
            "https://iam.example/oauth2/token",
        ),
        (
            "HTTPS://iam.example/oauth2/token",
            "https://iam.example/oauth2/token",
        ),
        (
            "https://iam.example:8443/oauth2/token?x=1",
            "https://iam.example:8443/oauth2/token?x=1",
        ),
        (
            "/baas/auth/v1.0/oauth2/token",
            "https://api.example/baas/auth/v1.0/oauth2/token",
        ),
    ] {
        assert_eq!(token_url(base, url).unwrap(), resolved, "{url}");
    }
    // A path takes the endpoint's scheme and host, whatever the path holds.
    let on_host = token_url("http://127.0.0.1:8080/x", "/a@b/c\\d").unwrap();
    let parsed = url::Url::parse(&on_host).unwrap();
    assert_eq!(
        (parsed.scheme(), parsed.host_str(), parsed.port()),
        ("http", Some("127.0.0.1"), Some(8080)),
        "{on_host}"
    );
}

/// A client with `Auth::client_credentials(token_url)` against `api`, the token URL of
/// `attacker`'s address in each of the forms refused: the secret never reaches the
/// attacker, the request fails with `Error::Config`.
#[tokio::test]
async fn client_credentials_never_post_the_secret_to_a_cleartext_url() {
    let api = MockServer::start().await;
    let attacker = MockServer::start().await;
    for server in [&api, &attacker] {
        Mock::given(any())
            .respond_with(ResponseTemplate::new(200).set_body_raw(
                r#"{"access_token":"tok","expires_in":3600}"#,
                "application/json",
            ))
            .mount(server)
            .await;
    }
    let host = attacker.address().to_string();
    for template in NOT_ALLOWED {
        let url = hostile(template, &host);
        let c = Client::builder()
            .endpoint(api.uri())
            .auth(Auth::client_credentials(&url, "id", "top-secret", "access-token").unwrap())
            .build()
            .unwrap();
        let err = c
            .execute(Request::new(Method::GET, "/things", "op"))
            .await
            .unwrap_err();
        assert!(matches!(err, Error::Config(_)), "{url:?}: {err:?}");
        assert!(!format!("{err} {err:?}").contains("top-secret"));
    }
    assert!(
        attacker.received_requests().await.unwrap().is_empty(),
        "the attacker was contacted"
    );
    assert!(api.received_requests().await.unwrap().is_empty());
}

/// `fetch_client_credentials_token` posts only to an https URL or to the client's own
/// endpoint.
#[tokio::test]
async fn the_token_exchange_posts_only_over_tls_or_to_the_api() {
    let api = MockServer::start().await;
    let attacker = MockServer::start().await;
    for server in [&api, &attacker] {
        Mock::given(method("POST"))
            .respond_with(ResponseTemplate::new(200).set_body_raw(
                r#"{"access_token":"tok","expires_in":3600}"#,
                "application/json",
            ))
            .mount(server)
            .await;
    }
    let c = Client::builder().endpoint(api.uri()).build().unwrap();
    let secret = Secret::new("top-secret");
    let host = attacker.address().to_string();
    for template in NOT_ALLOWED {
        let url = hostile(template, &host);
        let err = fetch_client_credentials_token(&c, &url, "id", &secret)
            .await
            .unwrap_err();
        match &err {
            Error::TokenExchange { source, .. } => {
                assert!(matches!(**source, Error::Config(_)), "{url:?}: {err:?}")
            }
            other => panic!("{url:?}: {other:?}"),
        }
    }
    assert!(
        attacker.received_requests().await.unwrap().is_empty(),
        "the attacker was contacted"
    );
    // The API's own origin, in plain http as the endpoint is, is the API's host.
    let token = fetch_client_credentials_token(&c, &format!("{}/token", api.uri()), "id", &secret)
        .await
        .unwrap();
    assert_eq!(token.access_token.expose(), "tok");
}

/// Another encoding of the form the client posted, as a server echoes it.
type Mangle = fn(&str) -> String;

/// Answers 400 with the OAuth error fields echoing the form the client posted, passed
/// through a [`Mangle`].
struct Echo(Mangle);

impl Respond for Echo {
    fn respond(&self, request: &wiremock::Request) -> ResponseTemplate {
        let form = String::from_utf8_lossy(&request.body).into_owned();
        let echoed = (self.0)(&form);
        ResponseTemplate::new(400).set_body_json(serde_json::json!({
            "error": format!("invalid_request: {echoed}"),
            "error_description": format!("cannot parse the body {echoed}"),
        }))
    }
}

/// `%2F` as `%2f`.
fn lower_hex(form: &str) -> String {
    let mut out = String::new();
    let mut chars = form.chars();
    while let Some(c) = chars.next() {
        out.push(c);
        if c == '%' {
            out.extend(chars.by_ref().take(2).map(|h| h.to_ascii_lowercase()));
        }
    }
    out
}

/// Every encoding of `secret` a server could echo.
fn forms_of(secret: &str) -> Vec<String> {
    let form: String = url::form_urlencoded::byte_serialize(secret.as_bytes()).collect();
    let strict = utf8_percent_encode(secret, NON_ALPHANUMERIC).to_string();
    vec![
        secret.to_owned(),
        form.clone(),
        lower_hex(&form),
        form.replace('+', "%20"),
        lower_hex(&form.replace('+', "%20")),
        strict.clone(),
        lower_hex(&strict),
    ]
}

#[tokio::test]
async fn a_token_endpoint_echoing_the_form_shows_no_secret() {
    let server = MockServer::start().await;
    let echoes: [(&str, Mangle); 4] = [
        ("/as-sent", |f| f.to_owned()),
        ("/lower-hex", lower_hex),
        ("/space-as-%20", |f| f.replace('+', "%20")),
        ("/strict", |f| {
            // Decoded, then encoded again with every non-alphanumeric byte escaped.
            url::form_urlencoded::parse(f.as_bytes())
                .map(|(k, v)| format!("{}={}", k, utf8_percent_encode(&v, NON_ALPHANUMERIC)))
                .collect::<Vec<_>>()
                .join("&")
        }),
    ];
    for (p, mangle) in echoes {
        Mock::given(path(p))
            .respond_with(Echo(mangle))
            .mount(&server)
            .await;
    }
    let c = Client::builder().endpoint(server.uri()).build().unwrap();
    for secret in ["p@ss+w0rd/&=x", "with space~and*more-._!", "Ünïcödé/€"] {
        for (p, _) in echoes {
            let url = format!("{}{p}", server.uri());
            let err = fetch_client_credentials_token(&c, &url, "machine42", &Secret::new(secret))
                .await
                .unwrap_err();
            assert_eq!(err.status(), Some(400), "{err:?}");
            let shown = format!("{err}\n{err:?}");
            // The echo is there (the client id), the secret is not, in any form.
            assert!(shown.contains("client_id=machine42"), "{shown}");
            for form in forms_of(secret) {
                assert!(
                    !shown.contains(&form),
                    "{p}: the secret is shown as {form:?}: {shown}"
                );
            }
        }
    }
}

#[test]
fn rfc3339_dates_out_of_range_are_none_not_a_panic() {
    for s in [
        "2020-01-08T02:53:07+9999999999999999:00",
        "2020-01-08T02:53:07-9999999999999999:00",
        "2020-01-08T02:53:07+00:9999999999999999",
        "2020-01-08T02:53:07+99999999999999999999:00",
        "2020-01-08T02:53:07+24:00",
        "2020-01-08T02:53:07+05:60",
        "2020-01-08T02:53:07+05:-1",
        "2020-01-08T02:53:07+-5:00",
        "2020-01-08T02:53:07+:00",
        "2020-01-08T02:53:07+05",
        "2020-01-08T-1:53:07Z",
        "2020-01-08T02:-1:07Z",
        "2020-01-08T02:53:-1Z",
        "2020-01-08T+2:53:07Z",
        "2020-01-+8T02:53:07Z",
        "2020-02-30T02:53:07Z",
        "2021-02-29T02:53:07Z",
        "2020-04-31T02:53:07Z",
        "2020-00-08T02:53:07Z",
        "2020-01-00T02:53:07Z",
        "2020-01-08T24:00:00Z",
        "1969-12-31T23:59:59Z",
    ] {
        assert_eq!(parse_rfc3339(s), None, "{s}");
    }
    // In range, offsets included; a leap day and a leap second.
    let utc = parse_rfc3339("2020-01-08T02:53:07Z").unwrap();
    for s in [
        "2020-01-08T10:53:07+08:00",
        "2020-01-07T14:23:07-12:30",
        "2020-01-08T02:53:07.5z",
    ] {
        assert_eq!(parse_rfc3339(s), Some(utc), "{s}");
    }
    assert!(parse_rfc3339("2020-02-29T00:00:00+23:59").is_some());
    assert!(parse_rfc3339("2016-12-31T23:59:60Z").is_some());
}

#[tokio::test]
async fn a_metadata_expiry_that_overflows_is_an_error_not_a_panic() {
    for expires_at in [
        "2020-01-08T02:53:07+9999999999999999:00",
        "2020-01-08T02:53:07+24:00",
    ] {
        let server = MockServer::start().await;
        Mock::given(method("PUT"))
            .respond_with(ResponseTemplate::new(404))
            .mount(&server)
            .await;
        Mock::given(method("GET"))
            .and(path("/openstack/latest/securitykey"))
            .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({
                "credential": {
                    "access": "AKMETA",
                    "secret": "meta-secret",
                    "securitytoken": "meta-token",
                    "expires_at": expires_at,
                }
            })))
            .mount(&server)
            .await;
        let err = MetadataProvider::with_base_url(server.uri())
            .credentials()
            .await
            .unwrap_err();
        let Error::Credentials(m) = &err else {
            panic!("{err:?}")
        };
        assert!(m.contains("expires_at") && m.contains("not a date"), "{m}");
        assert!(
            !m.contains("meta-secret") && !m.contains("meta-token"),
            "{m}"
        );
    }
}

#[test]
fn debug_of_a_client_credentials_client_shows_no_url_password() {
    for token_url in [
        "https://machine:URL-PASSWORD@iam.example/token",
        "https://machine:URL-PASSWORD@iam.example:8443/oauth2/token?x=1",
        // Not a URL the parser takes (a space in the host): the password still goes.
        "https://machine:URL-PASSWORD@iam example/token",
    ] {
        let auth = Auth::client_credentials(token_url, "machine", "CLIENT-SECRET", "access-token")
            .unwrap();
        let c = Client::builder()
            .endpoint("https://api.example/service")
            .auth(auth.clone())
            .build()
            .unwrap();
        for shown in [format!("{auth:?}"), format!("{c:?}")] {
            assert!(
                !shown.contains("URL-PASSWORD") && !shown.contains("CLIENT-SECRET"),
                "{shown}"
            );
            assert!(
                shown.contains("iam"),
                "the token URL is still shown: {shown}"
            );
        }
    }
}

// The fields are named as credentials, so the body's excerpt is redacted too
// (`redact_secrets`) and the whole error can be searched for the value.
#[derive(Debug, serde::Deserialize)]
#[allow(dead_code)]
struct Port {
    token: u16,
}

#[derive(Debug, serde::Deserialize)]
#[allow(dead_code)]
enum Kind {
    Small,
    Large,
}

#[derive(Debug, serde::Deserialize)]
#[allow(dead_code)]
struct Shape {
    secret_kind: Kind,
}

#[derive(Debug, serde::Deserialize)]
#[allow(dead_code)]
struct Flag {
    on: bool,
    secret_char: Option<char>,
}

#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct Strict {
    token: Option<u16>,
}

/// The decoder's message names the kind of value and the position, never the value: not
/// in double quotes, not in backticks.
#[tokio::test]
async fn decode_messages_quote_no_value() {
    let server = MockServer::start().await;
    let answers = [
        ("/port", r#"{"token": 987654321}"#),
        ("/negative", r#"{"token": -987654321}"#),
        ("/float", r#"{"token": 9876.54321}"#),
        (
            "/variant",
            r#"{"secret_kind": "SECRET`TOKEN`, expected x"}"#,
        ),
        ("/char", r#"{"on": true, "secret_char": "SECRET-CHARS"}"#),
        ("/missing", "{}"),
        ("/syntax", r#"{"token": 1 2}"#),
        ("/unknown", r#"{"KEY-FROM-SERVER": 1}"#),
    ];
    for (p, body) in answers {
        Mock::given(path(p))
            .respond_with(ResponseTemplate::new(200).set_body_raw(body, "application/json"))
            .mount(&server)
            .await;
    }
    let c = Client::builder().endpoint(server.uri()).build().unwrap();
    let get = |p: &'static str| {
        let c = c.clone();
        async move { c.execute(Request::new(Method::GET, p, "op")).await.unwrap() }
    };
    let message = |err: &Error| match err {
        Error::Decode { message, .. } => message.clone(),
        other => panic!("{other:?}"),
    };
    let shown = |err: &Error| format!("{err}\n{err:?}");

    let err = get("/port").await.json::<Port>().await.unwrap_err();
    let m = message(&err);
    assert!(!shown(&err).contains("987654321"), "{err:?}");
    // serde's text stays: the kind, what was expected, the position.
    assert!(
        m.starts_with("invalid value: integer") && m.contains("expected u16"),
        "{m}"
    );
    assert!(m.contains("at line 1 column"), "{m}");

    let err = get("/negative").await.json::<Port>().await.unwrap_err();
    assert!(!shown(&err).contains("987654321"), "{err:?}");
    assert!(message(&err).contains("integer"), "{err:?}");

    let err = get("/float").await.json::<Port>().await.unwrap_err();
    assert!(!shown(&err).contains("9876"), "{err:?}");
    assert!(message(&err).contains("floating point"), "{err:?}");

    // The value of an unknown variant goes (a backtick in it too), the variants expected
    // stay.
    let err = get("/variant").await.json::<Shape>().await.unwrap_err();
    let m = message(&err);
    assert!(!shown(&err).contains("SECRET"), "{err:?}");
    assert!(!shown(&err).contains("TOKEN"), "{err:?}");
    assert!(
        m.starts_with("unknown variant") && m.contains("`Small`") && m.contains("`Large`"),
        "{m}"
    );
    assert!(m.contains("at line 1 column"), "{m}");

    let err = get("/char").await.json::<Flag>().await.unwrap_err();
    assert!(!shown(&err).contains("SECRET"), "{err:?}");

    // A field name is the schema's, not a value: it stays.
    let err = get("/missing").await.json::<Port>().await.unwrap_err();
    assert_eq!(message(&err), "missing field `token` at line 1 column 2");

    // serde_json's syntax errors quote the punctuation expected: it stays.
    let err = get("/syntax").await.json::<Port>().await.unwrap_err();
    let m = message(&err);
    assert!(m.starts_with("expected `,` or `}` at line 1 column"), "{m}");

    // A key of the server's is not the type's: it goes, the fields expected stay.
    let err = get("/unknown").await.json::<Strict>().await.unwrap_err();
    let m = message(&err);
    assert!(!m.contains("KEY-FROM-SERVER"), "{m}");
    assert!(m.starts_with("unknown field `…`, expected `token`"), "{m}");
}
