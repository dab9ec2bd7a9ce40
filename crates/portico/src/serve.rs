//! Running a node: the HTTP server, this node's job worker, the periodic audit checkpoint and the
//! periodic purge.

use crate::app::Platform;
use anyhow::{Context, Result};
use std::net::SocketAddr;
use std::time::Duration;
use tokio::net::TcpListener;

pub async fn run(
    platform: Platform,
    listen: SocketAddr,
    checkpoint_every: Duration,
    anchor: portico_audit::Anchor,
) -> Result<()> {
    // Catch the checkpoint file up with the database (a crash can fall between the two writes).
    anchor
        .sync(&platform.state.db)
        .await
        .with_context(|| format!("cannot write {}", anchor.path().display()))?;
    let listener = TcpListener::bind(listen).await.with_context(|| {
        format!("cannot listen on {listen} (is another program using it? set PORTICO_LISTEN)")
    })?;
    let address = listener.local_addr()?;
    tokio::spawn(
        platform
            .worker
            .clone()
            .run_forever(Duration::from_millis(500)),
    );
    tokio::spawn(crate::purge::periodically(
        platform.state.db.clone(),
        platform.state.clock.clone(),
    ));
    tokio::spawn(checkpoints(
        platform.clone_for_checkpoints(anchor),
        checkpoint_every,
    ));
    if let (Some((listen, cert, key)), Some(login)) =
        (&platform.tls_listener, platform.certificates.as_ref())
    {
        let listen = *listen;
        let tls = crate::tls::server_config(cert, key, login.trust.ca_subjects())?;
        let listener = TcpListener::bind(listen).await.with_context(|| {
            format!("cannot listen on {listen} (set PORTICO_TLS_CLIENT_CERT_LISTEN)")
        })?;
        tracing::info!(
            "Portico asks for client certificates on https://{}",
            listener.local_addr()?
        );
        tokio::spawn(crate::tls::serve(listener, platform.router.clone(), tls));
    }
    tracing::info!("Portico is listening on http://{address}");
    // Peer addresses reach handlers (`ClientAddr`) for the limits per client address.
    axum::serve(
        listener,
        platform
            .router
            .into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown_signal())
    .await
    .context("the HTTP server stopped")?;
    tracing::info!("Portico stopped");
    Ok(())
}

/// Signs the audit chain's head every `every`, so tampering after that moment is provable, and
/// appends the checkpoint to the file outside the database.
async fn checkpoints(platform: CheckpointTask, every: Duration) {
    let mut ticker = tokio::time::interval(every);
    loop {
        ticker.tick().await;
        match portico_audit::checkpoint(&platform.db, &platform.key, platform.clock.now()).await {
            Ok(Some(seq)) => tracing::info!(seq, "signed an audit checkpoint"),
            Ok(None) => {}
            Err(error) => tracing::warn!(%error, "could not sign an audit checkpoint"),
        }
        if let Err(error) = platform.anchor.sync(&platform.db).await {
            tracing::warn!(%error, "could not write the audit checkpoint file");
        }
    }
}

pub struct CheckpointTask {
    db: portico_store::Db,
    key: portico_audit::SigningKey,
    clock: std::sync::Arc<dyn portico_core::Clock>,
    anchor: portico_audit::Anchor,
}

impl Platform {
    fn clone_for_checkpoints(&self, anchor: portico_audit::Anchor) -> CheckpointTask {
        CheckpointTask {
            anchor,
            db: self.state.db.clone(),
            key: self.signing_key.clone(),
            clock: self.state.clock.clone(),
        }
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
}
