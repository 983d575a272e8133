//! Binding a port the way a person expects: a default that is busy moves to
//! a free port (and says so); a port they named that is busy is an error.

use std::net::{IpAddr, SocketAddr};

use tokio::net::TcpListener;

use crate::config::PortChoice;

#[derive(Debug, thiserror::Error)]
pub enum BindError {
    #[error("port {port} ({what}) is already in use; choose another with {flag} or stop the program using it")]
    InUse {
        port: u16,
        what: &'static str,
        flag: &'static str,
    },
    #[error("could not listen on {addr} ({what}): {source}")]
    Other {
        addr: SocketAddr,
        what: &'static str,
        source: std::io::Error,
    },
    #[error("could not read the bound address: {0}")]
    Io(#[from] std::io::Error),
}

/// Listens on `ip:choice`, falling back to a free port for a busy default.
pub async fn listen(
    ip: IpAddr,
    choice: PortChoice,
    what: &'static str,
    notices: &mut Vec<String>,
) -> Result<TcpListener, BindError> {
    let flag = if what == "HTTP" {
        "--port"
    } else {
        "--ws-port"
    };
    let addr = SocketAddr::new(ip, choice.port());
    match TcpListener::bind(addr).await {
        Ok(listener) => Ok(listener),
        Err(e) if e.kind() == std::io::ErrorKind::AddrInUse => match choice {
            PortChoice::Explicit(port) => Err(BindError::InUse { port, what, flag }),
            PortChoice::Default(port) => {
                let listener = TcpListener::bind(SocketAddr::new(ip, 0))
                    .await
                    .map_err(|source| BindError::Other { addr, what, source })?;
                let actual = listener.local_addr()?.port();
                notices.push(format!(
                    "port {port} ({what}) is busy, so CoCo uses port {actual} instead"
                ));
                Ok(listener)
            }
        },
        Err(source) => Err(BindError::Other { addr, what, source }),
    }
}
