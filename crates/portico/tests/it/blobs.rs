//! Documents on an S3-compatible object store, as the README promises for production: a real
//! S3 server on loopback (`moto` in server mode, from PyPI, installed by scripts/test), reached
//! by Portico through `object_store` with `PORTICO_BLOB_URL=s3://…` and the `AWS_*` options.

use crate::cases::{address_in, citizen, seeded_with, staff, submit, OPERATOR, SERVICE};
use reqwest::StatusCode;
use sha2::{Digest, Sha256};
use std::process::Stdio;
use std::time::Duration;

const BUCKET: &str = "portico-documents";

/// `python3 -m moto.server` on a free loopback port, with one empty bucket; stopped on drop.
struct S3Server {
    child: tokio::process::Child,
    endpoint: String,
}

impl S3Server {
    async fn start() -> S3Server {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let child = tokio::process::Command::new("python3")
            .args([
                "-m",
                "moto.server",
                "-H",
                "127.0.0.1",
                "-p",
                &port.to_string(),
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .expect("python3 -m moto.server (pip install 'moto[server]'; scripts/test does)");
        let endpoint = format!("http://127.0.0.1:{port}");
        let http = reqwest::Client::new();
        let deadline = std::time::Instant::now() + Duration::from_secs(30);
        loop {
            // moto takes unsigned requests: creating the bucket is also the readiness probe.
            match http.put(format!("{endpoint}/{BUCKET}")).send().await {
                Ok(r) if r.status().is_success() => break,
                _ if std::time::Instant::now() < deadline => {
                    tokio::time::sleep(Duration::from_millis(200)).await
                }
                other => panic!("moto did not start on {endpoint}: {other:?}"),
            }
        }
        S3Server { child, endpoint }
    }

    /// The keys the bucket holds, read from the S3 server itself (ListObjectsV2).
    async fn keys(&self) -> Vec<String> {
        let listing = reqwest::get(format!("{}/{BUCKET}?list-type=2", self.endpoint))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        listing
            .split("<Key>")
            .skip(1)
            .filter_map(|s| s.split("</Key>").next())
            .map(str::to_owned)
            .collect()
    }
}

impl Drop for S3Server {
    fn drop(&mut self) {
        let _ = self.child.start_kill();
    }
}

#[tokio::test]
async fn attachments_are_kept_on_an_s3_compatible_store() {
    let s3 = S3Server::start().await;
    let endpoint = s3.endpoint.clone();
    let app = seeded_with(move |config| {
        config.blob_url = format!("s3://{BUCKET}/portico");
        config.blob_options = [
            ("aws_endpoint", endpoint.as_str()),
            ("aws_allow_http", "true"),
            ("aws_region", "eu-central-1"),
            ("aws_access_key_id", "portico-test"),
            ("aws_secret_access_key", "portico-test-secret"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
    })
    .await;

    let (applicant, _, secret) = citizen(&app, "s3@example.bg").await;
    let start = applicant.get(&format!("{SERVICE}/apply")).await;
    let id = start.location().split('/').nth(2).unwrap().to_owned();
    applicant
        .post_form(
            &format!("/applications/{id}/step/0"),
            &[("include_children", "no")],
        )
        .await;
    let address = address_in(&app, "sredets").await;
    applicant
        .post_form(
            &format!("/applications/{id}/step/1"),
            &[
                ("address_kind", "current"),
                ("address", &address),
                ("owns_home", "yes"),
            ],
        )
        .await;
    let pdf = b"%PDF-1.4\n% kept on S3\n".to_vec();
    let uploaded = applicant
        .post_file(
            &format!("/applications/{id}/step/2"),
            "ownership_document",
            "nalog.pdf",
            "application/pdf",
            pdf.clone(),
        )
        .await;
    assert_eq!(
        uploaded.location(),
        format!("/applications/{id}/review"),
        "{}",
        uploaded.body
    );
    assert_eq!(
        submit(&app, &applicant, &id, &secret).await.status,
        StatusCode::SEE_OTHER
    );

    // The S3 server holds the file under its SHA-256, computed here; the local folder holds none.
    let sha = hex::encode(Sha256::digest(&pdf));
    let keys = s3.keys().await;
    assert!(
        keys.contains(&format!("portico/{}/{sha}", &sha[..2])),
        "the bucket holds the attachment by its hash: {keys:?}"
    );
    assert!(
        !app.data_dir.path().join("blobs").exists(),
        "nothing went to the local blob folder"
    );

    // And the operator downloads it back from there, byte for byte.
    let operator = staff(&app, OPERATOR).await;
    let case = operator.get(&format!("/office/cases/{id}")).await;
    let link = case
        .attr("a[href*='/attachments/']", "href")
        .expect("a download link");
    let download = operator.get(&link).await;
    assert_eq!(download.status, StatusCode::OK);
    assert_eq!(download.body.as_bytes(), pdf.as_slice());
}
