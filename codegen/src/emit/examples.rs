//! Runnable examples, one per tag, each running the operation named by its argument:
//! endpoint, credentials and parameters come from environment variables (defaults from the
//! spec's examples), and a missing one is named. A list operation with `x-pagination` prints
//! every item through its stream; a download is written to a file; a file part is streamed
//! from the path given.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::{ident, inner_doc, ty_in};
use crate::ir::*;
use crate::naming;

fn example_text(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// Code that sets `builder` up with credentials read from the environment, and the lines
/// documenting the variables.
fn auth_code(api: &Api, prefix: &str) -> (TokenStream, Vec<String>) {
    let mut alternatives = Vec::new();
    let mut docs = Vec::new();
    let mut signing = None;
    for s in &api.security {
        match &s.kind {
            SecurityKind::ApiKeyHeader {
                signing: Some(alg), ..
            } => {
                // The credentials found as the Huawei Cloud SDKs find them (the runtime's
                // `ChainProvider::default()`). The chain is always set up, and says what it
                // tried when it finds nothing: it is the last alternative.
                signing = Some((
                    format!("`HUAWEICLOUD_SDK_AK` and `HUAWEICLOUD_SDK_SK`: access key signing ({alg}), with optional `HUAWEICLOUD_SDK_DOMAIN_ID` (account id) and `HUAWEICLOUD_SDK_SECURITY_TOKEN` (temporary credentials); without them, the credentials are looked for as the Huawei Cloud SDKs look: the profile file (`HUAWEICLOUD_SDK_CREDENTIALS_FILE`, else `~/.huaweicloud/credentials`), then the ECS metadata service"),
                    quote! {
                        let chain = runtime::ChainProvider::default();
                        break 'auth Some(builder.auth(runtime::Auth::provider(std::sync::Arc::new(chain))));
                    },
                ));
            }
            SecurityKind::ApiKeyHeader {
                name,
                signing: None,
                client_credentials: Some(token_url),
            } => {
                let scheme = naming::shouty(&s.name);
                let (v, id, secret) = (
                    format!("{prefix}_{scheme}"),
                    format!("{prefix}_CLIENT_ID"),
                    format!("{prefix}_CLIENT_SECRET"),
                );
                docs.push(format!("`{v}`: the token sent as `{name}`; or `{id}` and `{secret}`: OAuth client credentials, exchanged for a token that is renewed before it expires"));
                alternatives.push(quote! {
                    if let Some(token) = var(#v) {
                        break 'auth runtime::Auth::api_key(#name, token).ok().map(|a| builder.auth(a));
                    }
                    if let (Some(id), Some(secret)) = (var(#id), var(#secret)) {
                        break 'auth runtime::Auth::client_credentials(#token_url, id, secret, #name)
                            .ok()
                            .map(|a| builder.auth(a));
                    }
                });
            }
            SecurityKind::ApiKeyHeader {
                name,
                signing: None,
                client_credentials: None,
            } => {
                let v = format!("{prefix}_{}", naming::shouty(&s.name));
                docs.push(format!("`{v}`: the key sent as `{name}`"));
                alternatives.push(quote! {
                    if let Some(key) = var(#v) {
                        break 'auth runtime::Auth::api_key(#name, key).ok().map(|a| builder.auth(a));
                    }
                });
            }
            SecurityKind::Bearer => {
                let v = format!("{prefix}_BEARER_TOKEN");
                docs.push(format!("`{v}`: the bearer token"));
                alternatives.push(quote! {
                    if let Some(token) = var(#v) {
                        break 'auth Some(builder.auth(runtime::Auth::bearer(token)));
                    }
                });
            }
            SecurityKind::Other => {}
        }
    }
    if let Some((doc, code)) = signing {
        docs.push(doc);
        alternatives.push(code);
        return (
            quote! {
                'auth: {
                    #(#alternatives)*
                }
            },
            docs,
        );
    }
    let code = if alternatives.is_empty() {
        quote!(Some(builder))
    } else {
        let names = docs.join("; or ");
        let msg = format!("no credentials: set {names}");
        quote! {
            'auth: {
                #(#alternatives)*
                eprintln!(#msg);
                None
            }
        }
    };
    (code, docs)
}

/// The examples of one module, one per tag (operations without a tag share one named after
/// the module): (file name, tokens). Each takes the operation to run as its argument.
pub fn emit_examples(m: &ModuleInput, crate_ident: &str) -> Vec<(String, TokenStream)> {
    let api = &m.api;
    let mut groups: Vec<(String, Vec<&Operation>)> = Vec::new();
    for op in &api.operations {
        let tag = op.tags.first().cloned().unwrap_or_default();
        match groups.iter_mut().find(|(t, _)| t == &tag) {
            Some((_, ops)) => ops.push(op),
            None => groups.push((tag, vec![op])),
        }
    }
    let mut used = naming::Scope::default();
    groups
        .into_iter()
        .map(|(tag, ops)| {
            let stem = if tag.is_empty() {
                m.module.clone()
            } else {
                format!(
                    "{}_{}",
                    m.module,
                    naming::field_ident(&tag).trim_start_matches("r#")
                )
            };
            let file = used.unique(&stem);
            let tokens = emit_tag_example(m, crate_ident, &tag, &ops, &file);
            (file, tokens)
        })
        .collect()
}

/// The command that selects an operation: its method name in kebab case.
fn command(op: &Operation) -> String {
    op.method_name.trim_start_matches("r#").replace('_', "-")
}

fn emit_tag_example(
    m: &ModuleInput,
    crate_ident: &str,
    tag: &str,
    ops: &[&Operation],
    file: &str,
) -> TokenStream {
    let api = &m.api;
    let prefix = naming::shouty(&m.module);
    let module = format_ident!("{}", m.module);
    let krate = format_ident!("{}", crate_ident);
    let endpoint_var = format!("{prefix}_ENDPOINT");
    let default_endpoint = api.servers.first().map(|s| {
        let c = format_ident!("{}", s.const_name);
        quote!(api::servers::#c.to_string())
    });
    let (auth, auth_docs) = auth_code(api, &prefix);
    let mut doc = match tag {
        "" => format!(
            "Runs one operation of `{}` and prints the answer.",
            m.spec_name
        ),
        t => format!(
            "Runs one operation of the tag \"{t}\" of `{}` and prints the answer.",
            m.spec_name
        ),
    };
    doc.push_str(&format!(
        "\n\n`cargo run -p <this crate> --example {file} -- <operation>`, the operation one of:\n"
    ));
    let mut fns = Vec::new();
    let mut arms = Vec::new();
    let mut names = Vec::new();
    for op in ops {
        let (f, env_docs) = op_fn(op, &prefix);
        let cmd = command(op);
        let fn_name = format_ident!("run_{}", op.method_name.trim_start_matches("r#"));
        let what = match &op.pagination {
            Some(_) => {
                " (every item, page by page, at most `".to_string()
                    + &prefix
                    + "_MAX_ITEMS`, default 100)"
            }
            None if is_download(op) => {
                " (the file is written to `".to_string()
                    + &prefix
                    + "_OUTPUT`, else into this directory under the name the server gives, if that is a plain file name not taken yet)"
            }
            None => String::new(),
        };
        doc.push_str(&format!(
            "\n- `{cmd}`: `{} {}` (`{}`){what}",
            op.http_method, op.path, op.operation_id
        ));
        for d in env_docs {
            doc.push_str(&format!("\n  - {d}"));
        }
        arms.push(quote!(#cmd => #fn_name(&endpoint).await,));
        names.push(cmd);
        fns.push(f);
    }
    let mut env = vec![match api.servers.first() {
        Some(s) => format!("`{endpoint_var}`: the endpoint (default `{}`)", s.url),
        None => format!("`{endpoint_var}`: the endpoint (required)"),
    }];
    env.extend(auth_docs);
    doc.push_str("\n\nEnvironment variables of every operation:");
    for d in &env {
        doc.push_str(&format!("\n- {d}"));
    }
    let docs = inner_doc(&doc);
    let endpoint_code = match &default_endpoint {
        Some(d) => quote!(let endpoint = var(#endpoint_var).unwrap_or_else(|| #d);),
        None => {
            let msg = format!("missing environment variable: {endpoint_var} (the endpoint URL)");
            quote! {
                let Some(endpoint) = var(#endpoint_var) else {
                    eprintln!(#msg);
                    return std::process::ExitCode::from(2);
                };
            }
        }
    };
    let usage = format!(
        "usage: cargo run --example {file} -- <operation>\noperations: {}",
        names.join(", ")
    );
    quote! {
        #docs
        // Formatted by the generator (prettyplease); rustfmt leaves it alone.
        #![cfg_attr(rustfmt, rustfmt::skip)]
        #[allow(unused_imports)]
        use #krate::{#module as api, runtime};
        #[allow(unused_imports)]
        use runtime::stream::StreamExt as _;

        fn var(name: &str) -> Option<String> {
            std::env::var(name).ok().filter(|v| !v.trim().is_empty())
        }

        /// A value from its text: as JSON when it parses as the type, else as a string.
        #[allow(dead_code)]
        fn parse<T: serde::de::DeserializeOwned>(name: &str, text: &str) -> Result<T, String> {
            serde_json::from_str(text)
                .or_else(|_| serde_json::from_value(serde_json::Value::String(text.to_string())))
                .map_err(|e| format!("{name}: {e}"))
        }

        /// Reports missing and invalid variables; true when there are any.
        fn report(missing: &[&str], bad: &[String]) -> bool {
            for m in missing {
                eprintln!("missing environment variable: {m}");
            }
            for b in bad {
                eprintln!("invalid value: {b}");
            }
            !missing.is_empty() || !bad.is_empty()
        }

        async fn client(endpoint: &str) -> Option<api::Client> {
            let builder = api::Client::builder().endpoint(endpoint);
            let builder: Option<runtime::ClientBuilder<api::Client>> = #auth;
            match builder?.build() {
                Ok(c) => Some(c),
                Err(e) => {
                    eprintln!("cannot build the client: {e}");
                    None
                }
            }
        }

        #(#fns)*

        #[tokio::main]
        async fn main() -> std::process::ExitCode {
            #endpoint_code
            match std::env::args().nth(1).as_deref().unwrap_or("") {
                #(#arms)*
                _ => {
                    eprintln!(#usage);
                    std::process::ExitCode::from(2)
                }
            }
        }
    }
}

/// True when the operation's one success body is a file.
fn is_download(op: &Operation) -> bool {
    matches!(op.success_kinds().as_slice(), [ResponseBody::Bytes])
}

/// `async fn run_<method>(endpoint: &str) -> ExitCode`: reads the operation's arguments
/// from the environment, sends it, and prints the answer; and the lines documenting its
/// variables.
fn op_fn(op: &Operation, prefix: &str) -> (TokenStream, Vec<String>) {
    let method = ident(&op.method_name);
    let fn_name = format_ident!("run_{}", op.method_name.trim_start_matches("r#"));
    let mut env_docs = Vec::new();
    let mut reads = Vec::new();
    let mut args = Vec::new();
    for p in op.params.iter().filter(|p| p.required) {
        let var_name = format!("{prefix}_{}", naming::shouty(&p.wire));
        let local = format_ident!("arg_{}", p.ident.trim_start_matches("r#"));
        let t = ty_in(&p.ty, Some(&quote!(api::types)));
        let what = format!("{} parameter `{}`", p.location.prefix(), p.wire);
        let default = p.example.as_ref().or(p.default.as_ref()).map(example_text);
        env_docs.push(match &default {
            Some(d) => format!("`{var_name}`: the {what} (default, from the spec: `{d}`)"),
            None => format!("`{var_name}`: the {what} (required)"),
        });
        let fallback = match &default {
            Some(d) => quote!(.or_else(|| Some(#d.to_string()))),
            None => quote!(),
        };
        let missing = format!("{var_name} ({what})");
        reads.push(quote! {
            let #local: Option<#t> = match var(#var_name) #fallback {
                Some(text) => match parse(#var_name, &text) {
                    Ok(v) => Some(v),
                    Err(e) => { bad.push(e); None }
                },
                None => { missing.push(#missing); None }
            };
        });
        args.push(quote!(#local));
    }
    if let Some(b) = &op.body {
        if b.required
            && matches!(
                b.kind,
                BodyKind::Json | BodyKind::Form | BodyKind::Multipart
            )
        {
            let var_name = format!("{prefix}_BODY");
            let t = ty_in(&b.ty, Some(&quote!(api::types)));
            let default = b.example.as_ref().map(|v| v.to_string());
            env_docs.push(match &default {
                Some(_) => {
                    format!("`{var_name}`: the request body as JSON (default: the spec's example)")
                }
                None => format!("`{var_name}`: the request body as JSON (required)"),
            });
            let fallback = match &default {
                Some(d) => quote!(.or_else(|| Some(#d.to_string()))),
                None => quote!(),
            };
            let missing = format!("{var_name} (the request body, as JSON)");
            reads.push(quote! {
                let arg_body: Option<#t> = match var(#var_name) #fallback {
                    Some(text) => match serde_json::from_str(&text) {
                        Ok(v) => Some(v),
                        Err(e) => { bad.push(format!("{}: {e}", #var_name)); None }
                    },
                    None => { missing.push(#missing); None }
                };
            });
            args.push(quote!(arg_body));
        } else if b.required {
            let var_name = format!("{prefix}_BODY");
            env_docs.push(format!("`{var_name}`: the request body (required)"));
            let missing = format!("{var_name} (the request body)");
            reads.push(quote! {
                let arg_body = match var(#var_name) {
                    Some(text) => Some(text),
                    None => { missing.push(#missing); None }
                };
            });
            args.push(quote!(arg_body));
        }
        for f in b.files.iter().filter(|f| f.required) {
            let var_name = format!("{prefix}_{}_PATH", naming::shouty(&f.wire));
            let local = format_ident!("arg_{}", f.ident.trim_start_matches("r#"));
            env_docs.push(format!(
                "`{var_name}`: the file to send as the part `{}` (required; streamed from disk)",
                f.wire
            ));
            let missing = format!("{var_name} (the file of the part `{}`)", f.wire);
            reads.push(quote! {
                let #local = match var(#var_name) {
                    Some(path) => Some(runtime::Upload::path(path)),
                    None => { missing.push(#missing); None }
                };
            });
            args.push(quote!(#local));
        }
    }
    let unwrap = if args.is_empty() {
        quote!()
    } else {
        quote! {
            let (#(Some(#args),)*) = (#(#args,)*) else {
                return std::process::ExitCode::from(2);
            };
        }
    };
    let call = quote!(client.#method(#(#args),*));
    let run = if op.pagination.is_some() {
        let max_var = format!("{prefix}_MAX_ITEMS");
        quote! {
            let max: usize = var(#max_var).and_then(|v| v.parse().ok()).unwrap_or(100);
            let mut items = std::pin::pin!(#call.into_stream().take(max));
            let mut count = 0usize;
            while let Some(item) = items.next().await {
                match item {
                    Ok(item) => {
                        count += 1;
                        println!("{item:#?}");
                    }
                    Err(e) => {
                        eprintln!("{e}");
                        return std::process::ExitCode::FAILURE;
                    }
                }
            }
            eprintln!("{count} item(s)");
            std::process::ExitCode::SUCCESS
        }
    } else if is_download(op) {
        let out_var = format!("{prefix}_OUTPUT");
        quote! {
            let file = match #call.send().await {
                Ok(file) => file,
                Err(e) => {
                    eprintln!("{e}");
                    return std::process::ExitCode::FAILURE;
                }
            };
            let content_type = file.content_type().unwrap_or_default();
            // A name of the user's, or the server's as a new file in this directory only.
            let saved = match var(#out_var) {
                Some(path) => file.save_to(&path).await.map(|_| std::path::PathBuf::from(path)),
                None => file.save_in(".").await,
            };
            match saved {
                Ok(path) => {
                    println!("wrote {} ({content_type})", path.display());
                    std::process::ExitCode::SUCCESS
                }
                Err(e) => {
                    eprintln!("{e}");
                    std::process::ExitCode::FAILURE
                }
            }
        }
    } else {
        quote! {
            match #call.send().await {
                Ok(answer) => {
                    println!("{answer:#?}");
                    std::process::ExitCode::SUCCESS
                }
                Err(e) => {
                    eprintln!("{e}");
                    std::process::ExitCode::FAILURE
                }
            }
        }
    };
    let tokens = quote! {
        async fn #fn_name(endpoint: &str) -> std::process::ExitCode {
            #[allow(unused_mut)]
            let mut missing: Vec<&str> = Vec::new();
            #[allow(unused_mut)]
            let mut bad: Vec<String> = Vec::new();
            #(#reads)*
            if report(&missing, &bad) {
                return std::process::ExitCode::from(2);
            }
            #unwrap
            let Some(client) = client(endpoint).await else {
                return std::process::ExitCode::from(2);
            };
            #run
        }
    };
    (tokens, env_docs)
}
