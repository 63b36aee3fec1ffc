//! Lowering the `servers` list: one constant per server, named by `x-server-name` or its
//! host, with its variables' defaults substituted into the URL.

use crate::diag;
use crate::extensions;
use crate::ir::ServerDef;
use crate::naming;

use super::Lowerer;

impl Lowerer<'_> {
    /// The servers of the document, in order, with unique constant names (never `ALL`).
    pub(crate) fn lower_servers(&mut self) -> Vec<ServerDef> {
        let mut servers = Vec::new();
        let mut const_scope = naming::Scope::default();
        const_scope.reserve("ALL");
        for (i, s) in self.spec.doc.servers.iter().enumerate() {
            let server_ptr = diag::push("/servers", &i.to_string());
            let base = match extensions::server_name(&s.extensions, &server_ptr, &mut self.sink)
                .as_deref()
            {
                Some(n) => naming::shouty(n),
                None => {
                    let host = s
                        .url
                        .split("://")
                        .nth(1)
                        .unwrap_or(&s.url)
                        .split('/')
                        .next()
                        .unwrap_or("");
                    let h = naming::shouty(host);
                    if h == "VALUE" || h.is_empty() {
                        format!("SERVER_{i}")
                    } else {
                        h
                    }
                }
            };
            let mut url = s.url.clone();
            let mut variables = Vec::new();
            if let Some(vars) = &s.variables {
                for (name, v) in vars {
                    url = url.replace(&format!("{{{name}}}"), &v.default);
                    variables.push((name.clone(), v.default.clone(), v.description.clone()));
                }
            }
            // A name in braces that no variable declares would go out in the URL as written.
            let mut rest = s.url.as_str();
            while let Some(open) = rest.find('{') {
                let after = &rest[open + 1..];
                let Some(close) = after.find('}') else { break };
                let name = &after[..close];
                if !s.variables.as_ref().is_some_and(|v| v.contains_key(name)) {
                    let declared: Vec<String> = (s.variables.iter().flat_map(|v| v.keys()))
                        .map(|k| format!("`{k}`"))
                        .collect();
                    let declared = if declared.is_empty() {
                        "it declares none".to_string()
                    } else {
                        format!("it declares {}", declared.join(", "))
                    };
                    self.sink.error(
                        &diag::push(&server_ptr, "url"),
                        format!("`{{{name}}}` in the URL is not among the server's variables ({declared}): the URL would be sent with the braces in it"),
                    );
                }
                rest = &after[close + 1..];
            }
            servers.push(ServerDef {
                const_name: const_scope.unique(&base),
                url,
                template: s.url.clone(),
                description: s.description.clone(),
                variables,
            });
        }
        servers
    }
}
