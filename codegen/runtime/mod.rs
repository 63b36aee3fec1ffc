//! HTTP client runtime of the generated API client: validation, errors, requests,
//! the client (retries, auth, SDK-HMAC-SHA256 signing) and responses.
//!
//! These files are copied verbatim into every generated crate as `src/runtime/`; between
//! runtime modules only `super::` paths are used.

// `Error::Api` keeps the whole answer (status, request id, code, message, raw body, typed
// body) inline, as the generated code matches on it; that makes `Error` larger than
// clippy's default limit for `Result`'s error type.
#![allow(clippy::result_large_err)]

pub mod auth;
pub mod client;
pub mod error;
pub mod request;
pub mod response;
pub mod signing;
pub mod validate;

pub use auth::{
    aicc_token_url, fetch_client_credentials_token, AccessToken, AkSkCredentials, Auth, Secret,
};
pub use client::{Client, ClientBuilder, Hook, RetryPolicy};
pub use error::{extract_error_fields, ApiError, BusinessError, Error};
pub use request::{
    deep_object, encode_path_segment, form_body, form_object, json_body, multipart_body,
    query_value, Body, Part, PartData, Request,
};
pub use response::{check_business, decode_json, Response};
pub use signing::{sign_request, Signed};
pub use validate::{Rule, Validate, ValidationErrors, Violation};
