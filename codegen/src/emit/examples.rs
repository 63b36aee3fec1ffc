//! Runnable examples, one per operation: endpoint, credentials and parameters come from
//! environment variables (defaults from the spec's examples), and a missing one is named.

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
    for s in &api.security {
        match &s.kind {
            SecurityKind::ApiKeyHeader {
                signing: Some(alg), ..
            } => {
                let (ak, sk, dom, st) = (
                    format!("{prefix}_ACCESS_KEY"),
                    format!("{prefix}_SECRET_KEY"),
                    format!("{prefix}_DOMAIN_ID"),
                    format!("{prefix}_SECURITY_TOKEN"),
                );
                docs.push(format!("`{ak}` and `{sk}`: access key signing ({alg}); optional `{dom}` (account id) and `{st}` (temporary credentials)"));
                alternatives.push(quote! {
                    if let (Some(ak), Some(sk)) = (var(#ak), var(#sk)) {
                        let mut auth = runtime::Auth::ak_sk(ak, sk);
                        if let Some(domain) = var(#dom) {
                            auth = auth.with_domain_id(domain);
                        }
                        if let Some(token) = var(#st) {
                            auth = auth.with_security_token(token);
                        }
                        break 'auth Some(builder.auth(auth));
                    }
                });
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
                docs.push(format!("`{v}`: the token sent as `{name}`; or `{id}` and `{secret}`: OAuth client credentials exchanged for one"));
                alternatives.push(quote! {
                    if let Some(token) = var(#v) {
                        break 'auth runtime::Auth::api_key(#name, token).ok().map(|a| builder.auth(a));
                    }
                    if let (Some(id), Some(secret)) = (var(#id), var(#secret)) {
                        let token = async {
                            let url = runtime::token_url(endpoint, #token_url)?;
                            let exchange = runtime::Client::builder().endpoint(endpoint).build()?;
                            runtime::fetch_client_credentials_token(&exchange, &url, &id, &runtime::Secret::new(secret)).await?.into_auth(#name)
                        };
                        match token.await {
                            Ok(auth) => break 'auth Some(builder.auth(auth)),
                            Err(e) => {
                                eprintln!("cannot obtain an access token: {e}");
                                return None;
                            }
                        }
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

/// The examples of one module: (file name, tokens).
pub fn emit_examples(m: &ModuleInput, crate_ident: &str) -> Vec<(String, TokenStream)> {
    let api = &m.api;
    let prefix = naming::shouty(&m.module);
    let module = format_ident!("{}", m.module);
    let krate = format_ident!("{}", crate_ident);
    let mut out = Vec::new();
    let endpoint_var = format!("{prefix}_ENDPOINT");
    let default_endpoint = api.servers.first().map(|s| {
        let c = format_ident!("{}", s.const_name);
        quote!(api::servers::#c.to_string())
    });
    let (auth, auth_docs) = auth_code(api, &prefix);
    for op in &api.operations {
        let method = ident(&op.method_name);
        let mut env_docs = vec![match api.servers.first() {
            Some(s) => format!("`{endpoint_var}`: the endpoint (default `{}`)", s.url),
            None => format!("`{endpoint_var}`: the endpoint (required)"),
        }];
        env_docs.extend(auth_docs.iter().cloned());
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
                    Some(_) => format!(
                        "`{var_name}`: the request body as JSON (default: the spec's example)"
                    ),
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
        }
        let file = format!("{}_{}", m.module, op.method_name.trim_start_matches("r#"));
        let mut doc = format!(
            "Runs `{}` (`{} {}`) once and prints the answer.\n\nEnvironment variables:",
            op.operation_id, op.http_method, op.path
        );
        for d in &env_docs {
            doc.push_str(&format!("\n- {d}"));
        }
        doc.push_str(&format!("\n\n`cargo run -p <this crate> --example {file}`"));
        let docs = inner_doc(&doc);
        let endpoint_code = match &default_endpoint {
            Some(d) => quote!(let endpoint = var(#endpoint_var).unwrap_or_else(|| #d);),
            None => {
                let msg = format!("{endpoint_var} (the endpoint URL)");
                quote! {
                    let endpoint = var(#endpoint_var).unwrap_or_default();
                    if endpoint.is_empty() { missing.push(#msg); }
                }
            }
        };
        let unwrap = if args.is_empty() {
            quote!()
        } else {
            quote! {
                let (#(Some(#args),)*) = (#(#args,)*) else {
                    return std::process::ExitCode::from(2);
                };
            }
        };
        let tokens = quote! {
            #docs
            // Formatted by the generator (prettyplease); rustfmt leaves it alone.
            #![cfg_attr(rustfmt, rustfmt::skip)]
            use #krate::{#module as api, runtime};

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

            #[tokio::main]
            async fn main() -> std::process::ExitCode {
                #[allow(unused_mut)]
                let mut missing: Vec<&str> = Vec::new();
                #[allow(unused_mut)]
                let mut bad: Vec<String> = Vec::new();
                #endpoint_code
                #(#reads)*
                if !missing.is_empty() || !bad.is_empty() {
                    for m in &missing {
                        eprintln!("missing environment variable: {m}");
                    }
                    for b in &bad {
                        eprintln!("invalid value: {b}");
                    }
                    return std::process::ExitCode::from(2);
                }
                #unwrap
                let Some(client) = client(&endpoint).await else {
                    return std::process::ExitCode::from(2);
                };
                match client.#method(#(#args),*).send().await {
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
        out.push((file, tokens));
    }
    out
}
