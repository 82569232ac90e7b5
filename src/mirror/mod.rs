//! The Neo4j mirror: pushes the workspace snapshot to a Neo4j database
//! (`push`), checks that the two agree (`verify`), and runs the Cypher
//! versions of lotgraph's questions there (`query`).
//!
//! Connection settings come from the standard variables `NEO4J_URI`,
//! `NEO4J_USER`, `NEO4J_PASSWORD` (or a password file) and `NEO4J_DATABASE`.
//! The password is never taken from the command line and never printed:
//! `ConnectOptions`'s `Debug` redacts it, and errors name the URI and user
//! only. Every Cypher statement lives in `queries/*.cypher` (compiled in with
//! `include_str!`) and receives its data as parameters; no statement is ever
//! built from data.
//!
//! All network work runs on a small tokio runtime owned by the command; the
//! driver is neo4rs. Connection problems (unreachable host, refused login,
//! server gone mid-run) become one-line `MirrorError`s that name the URI.

pub mod push;
pub mod query;
pub mod rows;
pub mod state;
pub mod verify;

use neo4rs::{BoltType, ConfigBuilder, Graph, Query};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Errors of the mirror; each names the server, file or query involved and
/// fits on one line.
#[derive(Debug, thiserror::Error)]
pub enum MirrorError {
    /// Neither `NEO4J_PASSWORD` nor `--password-file` gave a password.
    #[error("no Neo4j password: set NEO4J_PASSWORD or pass --password-file FILE")]
    NoPassword,
    /// The password file could not be read.
    #[error("cannot read the password file {}: {source}", path.display())]
    PasswordFile {
        path: PathBuf,
        source: std::io::Error,
    },
    /// The URI is not one the driver understands.
    #[error("invalid Neo4j URI {uri:?}: {message}")]
    BadUri { uri: String, message: String },
    /// The server could not be reached (refused, timed out, TLS failure).
    #[error("cannot connect to Neo4j at {uri}: {message}")]
    Unreachable { uri: String, message: String },
    /// The server answered but refused the credentials.
    #[error("Neo4j at {uri} refused the login of user {user:?}: {message}")]
    Auth {
        uri: String,
        user: String,
        message: String,
    },
    /// The connection broke while working.
    #[error("lost the connection to Neo4j at {uri} while {doing}: {message}")]
    ConnectionLost {
        uri: String,
        doing: String,
        message: String,
    },
    /// The server reported an error for a statement.
    #[error("Neo4j at {uri} failed while {doing}: {message}")]
    Server {
        uri: String,
        doing: String,
        message: String,
    },
    /// A push that stopped part way; what committed is remembered.
    #[error(
        "push stopped after {done} of {total} row(s); the workspace remembers what committed, so running `lotgraph neo4j push` again finishes it: {cause}"
    )]
    Interrupted {
        done: u64,
        total: u64,
        cause: Box<MirrorError>,
    },
    /// `lotgraph neo4j query NAME` with an unknown NAME.
    #[error("no query named {name:?}; the queries are: {available}")]
    UnknownQuery { name: String, available: String },
    /// A `--param` that does not fit the query.
    #[error("query {query}: {message}")]
    Param { query: String, message: String },
    /// A statement name missing from a compiled-in Cypher file (a bug).
    #[error("statement {name:?} is missing from queries/{file}")]
    MissingStatement { file: &'static str, name: String },
    /// The sync state file could not be read or written.
    #[error("{}: {message}", path.display())]
    State { path: PathBuf, message: String },
}

/// Where and how to connect. The password is private and redacted from
/// `Debug`.
#[derive(Clone)]
pub struct ConnectOptions {
    pub uri: String,
    pub user: String,
    password: String,
    /// `None`: the server's default database.
    pub database: Option<String>,
    /// How long to wait for the first connection and login.
    pub connect_timeout: Duration,
    /// How long to wait for any one answer of the server afterwards.
    pub query_timeout: Duration,
    /// Connections in the pool (the push uses one per batch in flight).
    pub max_connections: usize,
}

impl std::fmt::Debug for ConnectOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ConnectOptions")
            .field("uri", &self.uri)
            .field("user", &self.user)
            .field("password", &"<redacted>")
            .field("database", &self.database)
            .field("connect_timeout", &self.connect_timeout)
            .field("query_timeout", &self.query_timeout)
            .field("max_connections", &self.max_connections)
            .finish()
    }
}

impl ConnectOptions {
    /// Options with the password taken from `password_file` when given,
    /// else from the `NEO4J_PASSWORD` variable. The file's first line is
    /// the password (a trailing newline is not part of it).
    pub fn new(
        uri: String,
        user: String,
        password_file: Option<&Path>,
        database: Option<String>,
    ) -> Result<ConnectOptions, MirrorError> {
        let password = match password_file {
            Some(path) => {
                let text =
                    std::fs::read_to_string(path).map_err(|source| MirrorError::PasswordFile {
                        path: path.to_path_buf(),
                        source,
                    })?;
                text.lines().next().unwrap_or("").to_string()
            }
            None => std::env::var("NEO4J_PASSWORD").map_err(|_| MirrorError::NoPassword)?,
        };
        Ok(ConnectOptions {
            uri,
            user,
            password,
            database: database.filter(|d| !d.is_empty()),
            connect_timeout: Duration::from_secs(5),
            query_timeout: Duration::from_mins(5),
            max_connections: 8,
        })
    }

    /// The target as shown to people: URI and database, never credentials.
    pub fn target(&self) -> String {
        match &self.database {
            Some(db) => format!("{} (database {db})", self.uri),
            None => self.uri.clone(),
        }
    }
}

/// A connected mirror: the driver's pool plus what error messages need.
#[derive(Clone)]
pub struct Mirror {
    graph: Graph,
    uri: String,
    user: String,
    /// Transient errors retried so far (deadlocks between batches).
    retries: std::sync::Arc<std::sync::atomic::AtomicU64>,
}

/// Collapses a driver or server message to one line.
pub fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Is this driver error a broken or unusable connection (rather than an
/// error the server reported for a statement)?
fn is_connection_error(e: &neo4rs::Error) -> bool {
    use neo4rs::Error as E;
    matches!(
        e,
        E::IOError { .. }
            | E::ConnectionError
            | E::ConnectionTimedOut
            | E::IncompleteBoltExchange
            | E::UnexpectedMessage(_)
            | E::RequestIgnoredError
            | E::ProtocolMismatch(_)
            | E::UnsupportedVersion(..)
            | E::InvalidDnsName(_)
    )
}

/// Is this a server error worth retrying (deadlock, lock timeout)?
pub(crate) fn is_transient(e: &neo4rs::Error) -> bool {
    matches!(e, neo4rs::Error::Neo4j(n) if n.kind() == neo4rs::Neo4jErrorKind::Transient)
}

impl Mirror {
    /// Connects and logs in, within `opts.connect_timeout`: a wrong
    /// password, an unreachable host or a server that does not answer is
    /// an error here, not at the first statement.
    pub async fn connect(opts: &ConnectOptions) -> Result<Mirror, MirrorError> {
        let scheme = opts.uri.split("://").next().unwrap_or("");
        if !opts.uri.contains("://")
            || !matches!(
                scheme,
                "bolt" | "bolt+s" | "bolt+ssc" | "neo4j" | "neo4j+s" | "neo4j+ssc"
            )
        {
            return Err(MirrorError::BadUri {
                uri: opts.uri.clone(),
                message: "expected bolt://HOST:PORT, neo4j://HOST:PORT or their +s/+ssc forms"
                    .into(),
            });
        }
        let mut cfg = ConfigBuilder::new()
            .uri(opts.uri.as_str())
            .user(opts.user.as_str())
            .password(opts.password.as_str())
            .max_connections(opts.max_connections.max(1))
            .fetch_size(10_000)
            .connection_timeout(opts.query_timeout);
        if let Some(db) = &opts.database {
            cfg = cfg.db(db.as_str());
        }
        let config = cfg.build().map_err(|e| MirrorError::BadUri {
            uri: opts.uri.clone(),
            message: one_line(&e.to_string()),
        })?;
        let graph = Graph::connect(config).map_err(|e| MirrorError::BadUri {
            uri: opts.uri.clone(),
            message: one_line(&e.to_string()),
        })?;
        let mirror = Mirror {
            graph,
            uri: opts.uri.clone(),
            user: opts.user.clone(),
            retries: std::sync::Arc::default(),
        };
        let probe = async {
            let mut txn = mirror.graph.start_txn().await?;
            let mut rows = txn.execute(neo4rs::query("RETURN 1 AS one")).await?;
            while rows.next(txn.handle()).await?.is_some() {}
            txn.commit().await?;
            Ok::<(), neo4rs::Error>(())
        };
        match tokio::time::timeout(opts.connect_timeout, probe).await {
            Err(_) => Err(MirrorError::Unreachable {
                uri: opts.uri.clone(),
                message: format!("no answer within {} s", opts.connect_timeout.as_secs_f64()),
            }),
            Ok(Err(neo4rs::Error::AuthenticationError(m))) => Err(MirrorError::Auth {
                uri: opts.uri.clone(),
                user: opts.user.clone(),
                message: one_line(&m),
            }),
            Ok(Err(neo4rs::Error::Neo4j(e)))
                if matches!(
                    e.kind(),
                    neo4rs::Neo4jErrorKind::Client(neo4rs::Neo4jClientErrorKind::Security(_))
                ) =>
            {
                Err(MirrorError::Auth {
                    uri: opts.uri.clone(),
                    user: opts.user.clone(),
                    message: one_line(e.message()),
                })
            }
            Ok(Err(e)) if is_connection_error(&e) => Err(MirrorError::Unreachable {
                uri: opts.uri.clone(),
                message: describe(&e),
            }),
            Ok(Err(e)) => Err(MirrorError::Server {
                uri: opts.uri.clone(),
                doing: "checking the connection".into(),
                message: describe(&e),
            }),
            Ok(Ok(())) => Ok(mirror),
        }
    }

    /// Transient server errors retried so far.
    pub fn retries(&self) -> u64 {
        self.retries.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// The driver's pool (clones share it).
    pub fn graph(&self) -> &Graph {
        &self.graph
    }

    /// Turns a driver error into a `MirrorError` naming what was being done.
    pub fn error(&self, doing: &str, e: &neo4rs::Error) -> MirrorError {
        if is_connection_error(e) {
            MirrorError::ConnectionLost {
                uri: self.uri.clone(),
                doing: doing.to_string(),
                message: describe(e),
            }
        } else if let neo4rs::Error::AuthenticationError(m) = e {
            MirrorError::Auth {
                uri: self.uri.clone(),
                user: self.user.clone(),
                message: one_line(m),
            }
        } else {
            MirrorError::Server {
                uri: self.uri.clone(),
                doing: doing.to_string(),
                message: describe(e),
            }
        }
    }

    /// Runs one write statement in its own transaction, retrying transient
    /// server errors (deadlocks between concurrent batches) a few times.
    pub async fn write(&self, doing: &str, q: Query) -> Result<(), MirrorError> {
        let mut attempt = 0u32;
        loop {
            match write_once(&self.graph, q.clone()).await {
                Ok(()) => return Ok(()),
                Err(e) if is_transient(&e) && attempt < 8 => {
                    attempt += 1;
                    self.retries
                        .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    tokio::time::sleep(Duration::from_millis(50 << attempt.min(6))).await;
                }
                Err(e) => return Err(self.error(doing, &e)),
            }
        }
    }

    /// Runs a statement outside an explicit transaction (schema changes,
    /// `CALL { ... } IN TRANSACTIONS`).
    pub async fn run_auto(&self, doing: &str, q: Query) -> Result<(), MirrorError> {
        self.graph.run(q).await.map_err(|e| self.error(doing, &e))?;
        Ok(())
    }

    /// Runs a read statement and returns the listed columns of every row.
    pub async fn fetch(
        &self,
        doing: &str,
        q: Query,
        columns: &[&str],
    ) -> Result<Vec<Vec<BoltType>>, MirrorError> {
        let res = async {
            let mut txn = self.graph.start_txn().await?;
            let mut stream = txn.execute(q).await?;
            let mut out = Vec::new();
            let mut missing = None;
            while let Some(row) = stream.next(txn.handle()).await? {
                let mut vals = Vec::with_capacity(columns.len());
                for c in columns {
                    if let Ok(v) = row.get::<BoltType>(c) {
                        vals.push(v);
                    } else {
                        missing.get_or_insert(*c);
                        vals.push(BoltType::Null(neo4rs::BoltNull));
                    }
                }
                out.push(vals);
            }
            txn.commit().await?;
            Ok::<_, neo4rs::Error>((out, missing))
        }
        .await;
        match res {
            Ok((_, Some(c))) => Err(MirrorError::Server {
                uri: self.uri.clone(),
                doing: doing.to_string(),
                message: format!("the statement returns no column {c:?}"),
            }),
            Ok((out, None)) => Ok(out),
            Err(e) => Err(self.error(doing, &e)),
        }
    }
}

async fn write_once(graph: &Graph, q: Query) -> Result<(), neo4rs::Error> {
    let mut txn = graph.start_txn().await?;
    txn.run(q).await?;
    txn.commit().await?;
    Ok(())
}

/// A driver error as one line, with the OS error for I/O problems.
fn describe(e: &neo4rs::Error) -> String {
    match e {
        neo4rs::Error::IOError { detail } => one_line(&detail.to_string()),
        neo4rs::Error::Neo4j(n) => one_line(&format!("{}: {}", n.code(), n.message())),
        other => one_line(&other.to_string()),
    }
}

/// Splits a compiled-in Cypher file into named statements. A statement
/// starts at a line `// --- name ---` and runs to the next such line; the
/// comment lines before the first marker describe the file.
pub fn statements(src: &'static str) -> Vec<(&'static str, &'static str)> {
    let mut out = Vec::new();
    let mut current: Option<(&'static str, usize)> = None;
    let mut pos = 0;
    for line in src.split_inclusive('\n') {
        let t = line.trim();
        if let Some(name) = t
            .strip_prefix("// ---")
            .and_then(|r| r.strip_suffix("---"))
            .map(str::trim)
        {
            if let Some((n, start)) = current.take() {
                out.push((n, src[start..pos].trim()));
            }
            current = Some((name, pos + line.len()));
        }
        pos += line.len();
    }
    if let Some((n, start)) = current {
        out.push((n, src[start..].trim()));
    }
    out
}

/// A set of named statements from one compiled-in file.
pub struct Statements {
    file: &'static str,
    list: Vec<(&'static str, &'static str)>,
}

impl Statements {
    /// Parses `src` (the text of `queries/{file}`).
    pub fn new(file: &'static str, src: &'static str) -> Statements {
        Statements {
            file,
            list: statements(src),
        }
    }

    /// The statement called `name`.
    pub fn get(&self, name: &str) -> Result<&'static str, MirrorError> {
        self.list
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, s)| *s)
            .ok_or_else(|| MirrorError::MissingStatement {
                file: self.file,
                name: name.to_string(),
            })
    }
}

/// Builds the command's tokio runtime (two workers: the machine is small
/// and the work is waiting on the server).
pub fn runtime() -> std::io::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statements_split_on_markers() {
        let s =
            statements("// file doc\n// --- a ---\nRETURN 1\n\n// --- b ---\n// b doc\nRETURN 2\n");
        assert_eq!(s, vec![("a", "RETURN 1"), ("b", "// b doc\nRETURN 2")]);
    }

    #[test]
    fn debug_never_shows_the_password() {
        let mut o = ConnectOptions::new("bolt://h:1".into(), "neo4j".into(), None, None)
            .unwrap_or_else(|_| ConnectOptions {
                uri: "bolt://h:1".into(),
                user: "neo4j".into(),
                password: String::new(),
                database: None,
                connect_timeout: Duration::from_secs(1),
                query_timeout: Duration::from_secs(1),
                max_connections: 1,
            });
        o.password = "hunter2-secret".into();
        assert!(!format!("{o:?}").contains("hunter2"));
    }

    #[test]
    fn messages_fit_on_one_line() {
        assert_eq!(one_line("a\n  b\tc "), "a b c");
    }
}
