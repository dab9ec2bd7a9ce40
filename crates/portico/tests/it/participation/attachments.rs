//! Photos and documents on proposals, through the pages as a browser without JavaScript posts
//! them (multipart with the CSRF token): the author attaches, everybody sees the photo with its
//! alt text and the document with its size; a file that is not what it claims, or a photo
//! without a description, is refused with its reason and nothing is stored; nobody else
//! attaches, removes or withdraws. Withdrawing takes the attachments with the proposal, and the
//! count on the proposals list (kept on every write, not counted per view) follows.

use super::*;
use crate::support::Client;
use sha2::Digest;

/// A PNG as far as its first bytes go (the server reads only the signature).
fn png() -> Vec<u8> {
    let mut b = b"\x89PNG\r\n\x1a\n".to_vec();
    b.extend(std::iter::repeat_n(7u8, 500));
    b
}

fn pdf() -> Vec<u8> {
    let mut b = b"%PDF-1.4\n".to_vec();
    b.extend(std::iter::repeat_n(b'x', 2048 - b.len()));
    b
}

fn stored(app: &TestApp, bytes: &[u8]) -> bool {
    let key = hex::encode(sha2::Sha256::digest(bytes));
    std::path::Path::new(&app.config.blob_url)
        .join(&key[..2])
        .join(&key)
        .exists()
}

async fn attachments(app: &TestApp) -> i64 {
    app.count("SELECT COUNT(*) FROM participation_attachments")
        .await
}

/// An app with Sofia's process taking proposals, and a citizen who proposed one (with a
/// location): the client and the proposal's path.
async fn proposed(slug: &str) -> (TestApp, Client, String) {
    let app = TestApp::start().await;
    processes::open(&ctx(&app), &admin(), &green(&app, slug))
        .await
        .unwrap();
    let (author, _, _) = crate::cases::citizen(&app, "author@example.bg").await;
    let path = propose(&author, slug, "Липи на Витошка", Some(("42.69", "23.32"))).await;
    (app, author, path)
}

async fn propose(client: &Client, slug: &str, title: &str, at: Option<(&str, &str)>) -> String {
    client.get(&format!("/participation/{slug}/propose")).await;
    let (lat, lon) = at.unwrap_or(("", ""));
    let made = client
        .post_form(
            &format!("/participation/{slug}/propose"),
            &[
                ("title", title),
                ("description", "Засаждане на 40 липи."),
                ("budget", "50 000"),
                ("topics", "trees"),
                ("latitude", lat),
                ("longitude", lon),
            ],
        )
        .await;
    assert_eq!(made.status, StatusCode::SEE_OTHER, "{}", made.body);
    made.location().split('?').next().unwrap().to_owned()
}

async fn upload(
    client: &Client,
    path: &str,
    alt: &str,
    name: &str,
    declared: &str,
    bytes: Vec<u8>,
) -> crate::support::Page {
    client.get(path).await;
    client
        .post_file_with(
            &format!("{path}/attachments"),
            &[("alt", alt)],
            "file",
            name,
            declared,
            bytes,
        )
        .await
}

#[tokio::test]
async fn the_author_attaches_a_photo_and_a_document_that_everybody_sees_on_the_proposal() {
    let (app, author, path) = proposed("green").await;
    let form = author.get(&path).await;
    assert!(form.attr("#attach-form", "enctype").as_deref() == Some("multipart/form-data"));
    let photo = upload(
        &author,
        &path,
        "Липите на Витошка през май",
        "lipi.png",
        "image/png",
        png(),
    )
    .await;
    assert_eq!(photo.status, StatusCode::SEE_OTHER, "{}", photo.body);
    let done = author.get(photo.location()).await;
    assert!(done
        .body
        .contains("Файлът е прикачен към предложението ви."));
    // A PDF declared as anything: its content decides.
    let doc = upload(
        &author,
        &path,
        "",
        "smetka.pdf",
        "application/octet-stream",
        pdf(),
    )
    .await;
    assert_eq!(doc.status, StatusCode::SEE_OTHER, "{}", doc.body);

    // Anybody sees them: the photo with its alt text, the document with its type and size.
    let visitor = app.client();
    let page = visitor.get(&path).await;
    assert_eq!(
        page.attr("#photos img", "alt").as_deref(),
        Some("Липите на Витошка през май")
    );
    assert_eq!(page.texts("#documents li a"), vec!["smetka.pdf"]);
    assert!(page.body.contains("(PDF, 2.0 KB)"), "{}", page.body);
    assert!(page.attr("#attach-form", "action").is_none());
    assert!(
        page.texts("#photos form").is_empty(),
        "no removal for others"
    );
    let src = page.attr("#photos img", "src").unwrap();
    let (status, headers, bytes) = visitor.get_bytes(&src).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(bytes, png());
    assert_eq!(headers["content-type"], "image/png");
    assert_eq!(headers["x-content-type-options"], "nosniff");
    assert_eq!(headers["content-security-policy"], "sandbox");
    let href = page.attr("#documents li a", "href").unwrap();
    let (status, headers, bytes) = visitor.get_bytes(&href).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(bytes, pdf());
    assert_eq!(headers["content-type"], "application/pdf");
    assert!(headers["content-disposition"]
        .to_str()
        .unwrap()
        .starts_with("attachment; filename=\"smetka.pdf\""));
    // Both are in the proposal's history.
    assert_eq!(page.texts("#history li").len(), 3);
    // The API's proposal lists them too, each with where it is served.
    let id = path.rsplit('/').next().unwrap();
    let api = visitor
        .get(&format!("/api/v1/participation/proposals/{id}"))
        .await
        .json();
    let listed = api["attachments"].as_array().unwrap();
    assert_eq!(listed.len(), 2);
    assert_eq!(listed[0]["kind"], "image");
    assert_eq!(listed[0]["alt"], "Липите на Витошка през май");
    assert_eq!(listed[0]["url"], src.as_str());
    assert_eq!(listed[1]["content_type"], "application/pdf");
    assert_eq!(listed[1]["size"], 2048);
    assert!(listed[1].get("blob_key").is_none());

    // The author removes the photo; the document stays.
    let own = author.get(&path).await;
    let remove = own.attr("#photos form", "action").unwrap();
    let removed = author.post_form(&remove, &[]).await;
    assert_eq!(removed.status, StatusCode::SEE_OTHER);
    let page = visitor.get(&path).await;
    assert!(page.attr("#photos img", "src").is_none());
    assert_eq!(page.texts("#documents li a"), vec!["smetka.pdf"]);
    assert_eq!(attachments(&app).await, 1);
}

#[tokio::test]
async fn a_file_that_is_not_a_photo_or_pdf_is_refused_with_its_reason_and_nothing_is_stored() {
    let (app, author, path) = proposed("green").await;
    let fake = b"<svg xmlns=\"http://www.w3.org/2000/svg\" onload=\"alert(1)\"/>".to_vec();
    let refused = upload(
        &author,
        &path,
        "Снимка",
        "lipi.png",
        "image/png",
        fake.clone(),
    )
    .await;
    assert_eq!(refused.status, StatusCode::OK);
    assert!(refused.body.contains("error-summary"));
    assert_eq!(
        refused.texts("#file-error"),
        vec!["Файлът трябва да е снимка в JPG или PNG или документ в PDF. Проверява се съдържанието му, не името."]
    );
    assert_eq!(refused.attr("#alt", "value").as_deref(), Some("Снимка"));
    assert_eq!(attachments(&app).await, 0);
    assert!(!stored(&app, &fake));

    // A photo without its description: refused, not stored.
    let mut photo = png();
    photo.push(1);
    let no_alt = upload(&author, &path, "  ", "lipi.png", "image/png", photo.clone()).await;
    assert!(no_alt
        .body
        .contains("Опишете снимката за хората, които не могат да я видят"));
    assert!(!stored(&app, &photo));
    // An empty file input.
    let empty = upload(
        &author,
        &path,
        "",
        "",
        "application/octet-stream",
        Vec::new(),
    )
    .await;
    assert!(empty.body.contains("Изберете файл, който да прикачите."));
    // Over the size limit.
    let mut big = pdf();
    big.resize(5 * 1024 * 1024 + 1, b'x');
    let large = upload(
        &author,
        &path,
        "",
        "big.pdf",
        "application/pdf",
        big.clone(),
    )
    .await;
    assert!(large.body.contains("Файлът е по-голям от 5 MB."));
    assert!(!stored(&app, &big));
    assert_eq!(attachments(&app).await, 0);

    // In English too.
    author.get("/lang?to=en&back=/").await;
    let refused = upload(&author, &path, "", "x.pdf", "application/pdf", fake.clone()).await;
    assert!(refused
        .body
        .contains("The file must be a photo in JPG or PNG, or a document in PDF."));
    assert_eq!(attachments(&app).await, 0);
}

#[tokio::test]
async fn nobody_but_the_author_attaches_removes_or_withdraws() {
    let (app, author, path) = proposed("green").await;
    let ok = upload(&author, &path, "Липите", "lipi.png", "image/png", png()).await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER);
    let (other, _, _) = crate::cases::citizen(&app, "other@example.bg").await;
    let page = other.get(&path).await;
    assert!(page.attr("#attach-form", "action").is_none());
    assert!(page.attr("#withdraw", "action").is_none());
    let mut theirs = pdf();
    theirs.push(b'!');
    let refused = other
        .post_file_with(
            &format!("{path}/attachments"),
            &[("alt", "")],
            "file",
            "mine.pdf",
            "application/pdf",
            theirs.clone(),
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.body);
    assert!(!stored(&app, &theirs));
    assert_eq!(attachments(&app).await, 1);
    let photo = author
        .get(&path)
        .await
        .attr("#photos form", "action")
        .unwrap();
    other.get(&path).await;
    assert_eq!(
        other.post_form(&photo, &[]).await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        other
            .post_form(&format!("{path}/withdraw"), &[])
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(attachments(&app).await, 1);
    // Signed out, the forms send to the sign-in.
    let visitor = app.client();
    visitor.get(&path).await;
    let anonymous = visitor
        .post_file_with(
            &format!("{path}/attachments"),
            &[],
            "file",
            "x.pdf",
            "application/pdf",
            theirs.clone(),
        )
        .await;
    assert_ne!(anonymous.status, StatusCode::OK);
    assert_eq!(attachments(&app).await, 1);
}

fn count_line(page: &crate::support::Page) -> String {
    page.texts("#proposal-count").pop().unwrap_or_default()
}

#[tokio::test]
async fn the_count_on_the_proposals_list_follows_proposing_reviewing_and_withdrawing() {
    let (app, author, first) = proposed("green").await;
    let ctx = ctx(&app);
    let second = propose(&author, "green", "Велоалея", None).await;
    upload(&author, &second, "", "plan.pdf", "application/pdf", pdf()).await;
    let visitor = app.client();
    let list = visitor.get("/participation/green/proposals").await;
    assert!(count_line(&list).contains("2 / 2"), "{}", count_line(&list));

    // Reviewed: the status counts move, the whole does not.
    let first_id = first.rsplit('/').next().unwrap();
    proposals::review(
        &ctx,
        &admin(),
        first_id,
        &Review {
            status: ProposalStatus::Feasible,
            reason: "Осъществимо.".into(),
            merged_into: None,
        },
    )
    .await
    .unwrap();
    let all = visitor.get("/participation/green/proposals").await;
    assert!(count_line(&all).contains("2 / 2"));
    let feasible = visitor
        .get("/participation/green/proposals?status=feasible")
        .await;
    assert!(count_line(&feasible).contains("1 / 1"));
    let submitted = visitor
        .get("/participation/green/proposals?status=submitted")
        .await;
    assert!(count_line(&submitted).contains("1 / 1"));

    // A reviewed proposal is not withdrawn; the author withdraws the other, with its file.
    author.get(&first).await;
    let refused = author.post_form(&format!("{first}/withdraw"), &[]).await;
    assert_eq!(refused.status, StatusCode::OK);
    assert!(refused
        .body
        .contains("Предложението вече не може да бъде оттеглено"));
    let page = author.get(&second).await;
    assert!(page.attr("#withdraw", "action").is_some());
    let gone = author.post_form(&format!("{second}/withdraw"), &[]).await;
    assert_eq!(gone.status, StatusCode::SEE_OTHER, "{}", gone.body);
    assert_eq!(gone.location(), "/participation/green/proposals");
    assert_eq!(visitor.get(&second).await.status, StatusCode::NOT_FOUND);
    assert_eq!(attachments(&app).await, 0);
    let all = visitor.get("/participation/green/proposals").await;
    assert!(count_line(&all).contains("1 / 1"), "{}", count_line(&all));
    assert_eq!(all.texts("#proposals tbody tr").len(), 1);
    let submitted = visitor
        .get("/participation/green/proposals?status=submitted")
        .await;
    assert!(count_line(&submitted).contains("0 / 0"));
    // The count shown is the rows there are.
    assert_eq!(
        app.count("SELECT COUNT(*) FROM participation_proposals")
            .await,
        1
    );
    let process = processes::get(&ctx, "green").await.unwrap();
    let kept = proposals::list(&ctx, &process.id, None, proposals::Cursor::First, 20)
        .await
        .unwrap();
    assert_eq!(kept.total, 1);
    assert_eq!(
        app.count(
            "SELECT COUNT(*) FROM audit_log WHERE action = 'participation.proposal_withdrawn'"
        )
        .await,
        1
    );
    // Proposals written in bulk (the bench's) are counted too.
    portico_participation::service::demo::generate_proposals(&ctx, &process.id, 30)
        .await
        .unwrap();
    let all = visitor.get("/participation/green/proposals").await;
    assert!(count_line(&all).contains("20 / 31"), "{}", count_line(&all));
    let feasible = visitor
        .get("/participation/green/proposals?status=feasible")
        .await;
    assert!(count_line(&feasible).contains("20 / 31"));
}

#[tokio::test]
async fn a_proposal_takes_eight_files_and_none_once_proposals_close() {
    let app = TestApp::start().await;
    processes::open(&ctx(&app), &admin(), &green(&app, "green"))
        .await
        .unwrap();
    let (author, _, secret) = crate::cases::citizen(&app, "author@example.bg").await;
    let path = propose(&author, "green", "Липи на Витошка", None).await;
    for n in 0..8u8 {
        let mut file = pdf();
        file.push(n);
        let ok = upload(
            &author,
            &path,
            "",
            &format!("{n}.pdf"),
            "application/pdf",
            file,
        )
        .await;
        assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.body);
    }
    // Full: the form is gone, and a ninth sent anyway is refused and not stored.
    let page = author.get(&path).await;
    assert!(page.attr("#attach-form", "action").is_none());
    assert_eq!(page.texts("#documents li a").len(), 8);
    let mut ninth = pdf();
    ninth.push(9);
    let refused = author
        .post_file_with(
            &format!("{path}/attachments"),
            &[("alt", "")],
            "file",
            "9.pdf",
            "application/pdf",
            ninth,
        )
        .await;
    assert!(refused
        .body
        .contains("Към предложение може да има най-много 8 снимки и документа."));
    assert_eq!(attachments(&app).await, 8);

    // After the proposals phase nothing is added, removed or withdrawn.
    let remove = page.attr("#documents form", "action").unwrap();
    app.advance(DAY / 1000 + 1);
    // A day later the session has ended: signed in again, as the author.
    crate::assurance::sign_in_again(&app, &author, "author@example.bg", &secret).await;
    let page = author.get(&path).await;
    assert!(page.attr("#documents form", "action").is_none());
    assert!(page.attr("#withdraw", "action").is_none());
    assert_eq!(
        author.post_form(&remove, &[]).await.status,
        StatusCode::BAD_REQUEST
    );
    let late = author
        .post_file_with(
            &format!("{path}/attachments"),
            &[("alt", "Късно")],
            "file",
            "late.png",
            "image/png",
            png(),
        )
        .await;
    assert!(late.body.contains(
        "Снимките и документите може да се променят само докато се приемат предложения."
    ));
    let withdrawn = author.post_form(&format!("{path}/withdraw"), &[]).await;
    assert!(withdrawn
        .body
        .contains("Предложението вече не може да бъде оттеглено"));
    assert_eq!(attachments(&app).await, 8);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM participation_proposals")
            .await,
        1
    );
}

#[tokio::test]
async fn the_map_draws_the_located_proposals_with_a_list_of_the_same_links() {
    let app = TestApp::start().await;
    let mut new = green(&app, "green");
    new.rules.boundary = Some(
        serde_json::json!({"type": "Polygon", "coordinates": [[[23.2, 42.6], [23.45, 42.6], [23.45, 42.8], [23.2, 42.8], [23.2, 42.6]]]}),
    );
    processes::open(&ctx(&app), &admin(), &new).await.unwrap();
    let visitor = app.client();
    let empty = visitor.get("/participation/green/map").await;
    assert_eq!(empty.status, StatusCode::OK);
    assert_eq!(empty.texts("#map-empty").len(), 1);
    // The area is drawn even before any proposal has a place.
    assert!(empty.body.contains("map__area"));

    let (author, _, _) = crate::cases::citizen(&app, "author@example.bg").await;
    let park = propose(&author, "green", "Парк <Лозенец>", Some(("42.67", "23.32"))).await;
    let lane = propose(&author, "green", "Велоалея", Some(("42,70", "23,40"))).await;
    propose(&author, "green", "Без място", None).await;
    let list = visitor.get("/participation/green/proposals").await;
    assert_eq!(
        list.attr("#map-link", "href").as_deref(),
        Some("/participation/green/map")
    );
    let map = visitor.get("/participation/green/map").await;
    assert_eq!(map.status, StatusCode::OK);
    let items = map.texts("#map-list li a");
    assert_eq!(items, vec!["№ 1 Парк <Лозенец>", "№ 2 Велоалея"]);
    let hrefs: Vec<String> = map
        .html()
        .select(&scraper::Selector::parse("#map-list li a").unwrap())
        .filter_map(|a| a.value().attr("href").map(str::to_owned))
        .collect();
    assert_eq!(hrefs, vec![park.clone(), lane.clone()]);
    // One point on the picture per located proposal, each a link to it; titles escaped.
    assert_eq!(map.body.matches("<circle").count(), 2);
    assert!(map.body.contains(&format!("href=\"{park}\"")));
    assert!(map.body.contains(&format!("href=\"{lane}\"")));
    assert!(!map.body.contains("<Лозенец>"));
    assert!(!map.body.contains("Без място"));
    // The process page leads to it too.
    let process = visitor.get("/participation/green").await;
    assert!(process.body.contains("/participation/green/map"));
}
