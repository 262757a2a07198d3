//! Applications as CSV: out with the list's filters, in from other trackers'
//! spreadsheets with a preview, row errors, and re-imports that create
//! nothing twice.

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::helpers::*;

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(format!(
        "{}/tests/fixtures/csv/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

async fn import(app: &TestApp, token: &str, query: &str, body: Vec<u8>) -> Res {
    app.req(Method::POST, &format!("/api/v1/import/csv{query}"))
        .bearer(token)
        .body("text/csv", body)
        .send()
        .await
}

async fn csv_export(
    app: &TestApp,
    token: &str,
    query: &str,
) -> (reqwest::header::HeaderMap, String) {
    let res = app
        .http
        .get(format!(
            "{}/api/v1/export/applications.csv{query}",
            app.address
        ))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let headers = res.headers().clone();
    (headers, res.text().await.unwrap())
}

async fn all_applications(app: &TestApp, token: &str) -> Vec<Value> {
    app.get(token, "/api/v1/applications?limit=200&sort=company")
        .await
        .body["items"]
        .as_array()
        .unwrap()
        .clone()
}

#[actix_web::test]
async fn a_trackers_export_is_previewed_then_imported_once_with_row_errors_named() {
    let app = spawn_app().await;
    let (token, _) = app.user("huntr@example.com").await;
    // The preview changes nothing and shows what would happen.
    let dry = import(&app, &token, "?dry_run=true", fixture("huntr-style.csv")).await;
    assert_eq!(dry.status, 200, "{}", dry.text);
    assert_eq!(dry.header("cache-control"), Some("no-store"));
    assert_eq!(dry.body["dry_run"], true);
    assert_eq!(dry.body["rows"], 6);
    assert_eq!(dry.body["created"], 4);
    let mapping = &dry.body["mapping"];
    for (column, field) in [
        ("Company", "company"),
        ("Job Title", "title"),
        ("Status", "status"),
        ("URL", "url"),
        ("Date Applied", "applied_on"),
        ("Salary", "salary"),
        ("Notes", "notes"),
        ("Tags", "tags"),
    ] {
        assert_eq!(mapping[column], field, "{mapping}");
    }
    let errors = dry.body["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 2, "{errors:?}");
    assert_eq!(
        (errors[0]["row"].clone(), errors[0]["column"].clone()),
        (json!(6), json!("Status"))
    );
    assert_eq!(
        (errors[1]["row"].clone(), errors[1]["column"].clone()),
        (json!(7), json!("Date Applied"))
    );
    let first = &dry.body["preview"][0];
    assert_eq!(first["company"], "Acme Robotics");
    assert_eq!(first["salary_min"], 120000);
    assert_eq!(first["salary_max"], 150000);
    assert_eq!(first["salary_currency"], "USD");
    assert_eq!(first["note"], "Referred by Sam\nFollow up Friday");
    assert_eq!(first["tags"], json!(["rust", "backend"]));
    assert_eq!(dry.body["preview"][1]["status"], "screening");
    assert_eq!(dry.body["preview"][1]["applied_on"], "2026-03-07");
    assert_eq!(dry.body["preview"][2]["status"], "interviewing");
    assert_eq!(dry.body["preview"][3]["status"], "wishlist");
    assert!(
        all_applications(&app, &token).await.is_empty(),
        "a preview imports nothing"
    );

    // The import: the good rows, in one go.
    let res = import(&app, &token, "", fixture("huntr-style.csv")).await;
    assert_eq!(res.status, 201, "{}", res.text);
    assert_eq!(
        (res.body["created"].clone(), res.body["skipped"].clone()),
        (json!(4), json!(0))
    );
    assert_eq!(res.body["errors"].as_array().unwrap().len(), 2);
    let apps = all_applications(&app, &token).await;
    assert_eq!(apps.len(), 4);
    let acme = apps
        .iter()
        .find(|a| a["company"] == "Acme Robotics")
        .unwrap();
    let id = acme["id"].as_str().unwrap();
    let notes = app
        .get(&token, &format!("/api/v1/applications/{id}/notes"))
        .await;
    assert_eq!(
        notes.body["items"][0]["body"],
        "Referred by Sam\nFollow up Friday"
    );
    let history = app
        .get(&token, &format!("/api/v1/applications/{id}/history"))
        .await;
    let entries = history.body["items"].as_array().unwrap();
    assert_eq!(entries.len(), 1, "one entry reaching its status");
    assert_eq!(entries[0]["to_status"], "applied");
    assert!(
        entries[0]["changed_at"]
            .as_str()
            .unwrap()
            .starts_with("2026-03-0"),
        "dated applied_on: {}",
        entries[0]
    );

    // Again: nothing twice (matched on URL, or company + title + applied_on).
    let again = import(&app, &token, "", fixture("huntr-style.csv")).await;
    assert_eq!(again.status, 201);
    assert_eq!(
        (again.body["created"].clone(), again.body["skipped"].clone()),
        (json!(0), json!(4))
    );
    assert_eq!(all_applications(&app, &token).await.len(), 4);
}

#[actix_web::test]
async fn semicolons_european_dates_latin1_and_other_headers_are_understood() {
    let app = spawn_app().await;
    let (token, _) = app.user("sheets@example.com").await;
    let res = import(&app, &token, "", fixture("sheets-semicolon.csv")).await;
    assert_eq!(res.status, 201, "{}", res.text);
    assert_eq!(res.body["created"], 3, "{}", res.text);
    let apps = all_applications(&app, &token).await;
    let sg = apps
        .iter()
        .find(|a| a["company"] == "Société Générale")
        .unwrap();
    assert_eq!(sg["applied_on"], "2026-03-05");
    assert_eq!(sg["status"], "interviewing");
    assert_eq!(
        (
            sg["salary_min"].clone(),
            sg["salary_max"].clone(),
            sg["salary_currency"].clone()
        ),
        (json!(80000), json!(95000), json!("EUR"))
    );
    assert_eq!(sg["tags"], json!(["rust", "finance"]));
    let z = apps.iter().find(|a| a["company"] == "Zalando").unwrap();
    assert_eq!(z["status"], "ghosted");

    let teal = import(&app, &token, "", fixture("teal-style.csv")).await;
    assert_eq!(teal.status, 201, "{}", teal.text);
    assert_eq!(teal.body["mapping"]["Job Position"], "title");
    assert_eq!(teal.body["mapping"]["Company Name"], "company");
    assert_eq!(teal.body["mapping"]["State"], "status");
    assert_eq!(teal.body["created"], 2);

    let latin = import(&app, &token, "", fixture("latin1.csv")).await;
    assert_eq!(latin.status, 201, "{}", latin.text);
    assert_eq!(latin.body["encoding"], "windows-1252");
    let apps = all_applications(&app, &token).await;
    assert!(apps
        .iter()
        .any(|a| a["company"] == "Café Müller" && a["title"] == "Barista"));
}

#[actix_web::test]
async fn an_explicit_mapping_overrides_recognition_and_a_wrong_one_is_named() {
    let app = spawn_app().await;
    let (token, _) = app.user("mapping@example.com").await;
    let file = b"Org,Role,Where\r\nAcme,Engineer,Berlin\r\n".to_vec();
    let res = import(&app, &token, "?dry_run=true", file.clone()).await;
    res.assert_problem(422, "validation");
    assert_eq!(res.error_fields(), vec!["mapping".to_owned()]);
    let mapping = urlencode(r#"{"Org": "company", "Role": "title", "Where": "location"}"#);
    let res = import(&app, &token, &format!("?mapping={mapping}"), file.clone()).await;
    assert_eq!(res.status, 201, "{}", res.text);
    let apps = all_applications(&app, &token).await;
    assert_eq!(
        (apps[0]["company"].clone(), apps[0]["location"].clone()),
        (json!("Acme"), json!("Berlin"))
    );
    for bad in [
        r#"{"Nope": "company"}"#,
        r#"{"Org": "salary_bonus"}"#,
        r#"["Org"]"#,
    ] {
        let res = import(
            &app,
            &token,
            &format!("?mapping={}", urlencode(bad)),
            file.clone(),
        )
        .await;
        assert!(
            res.status == 422 || res.status == 400,
            "{bad}: {}",
            res.text
        );
        let fields = res.error_fields();
        assert!(
            !fields.is_empty() && fields.iter().all(|f| f == "mapping"),
            "{bad}: {fields:?}"
        );
    }
}

fn urlencode(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

#[actix_web::test]
async fn unreadable_oversized_and_hostile_files_are_refused_and_import_nothing() {
    let app = spawn_app().await;
    let (token, _) = app.user("hostile@example.com").await;
    let mut many = String::from("Company,Title\r\n");
    for i in 0..10_001 {
        many.push_str(&format!("C{i},T{i}\r\n"));
    }
    let cases: Vec<(Vec<u8>, u16, &str)> = vec![
        (b"".to_vec(), 422, "file"),
        (
            b"Company,Title\r\n\"Acme,Engineer\r\n".to_vec(),
            422,
            "file",
        ),
        (vec![0x00, 0x01, 0x02, 0xff, 0xfe, 0x00], 422, "file"),
        (many.into_bytes(), 422, "file"),
        (
            "Company,Title\r\nИнтерфейс,Разработчик\r\n".encode_utf16_le(),
            201,
            "",
        ),
    ];
    for (body, status, field) in cases {
        let shown = String::from_utf8_lossy(&body)
            .chars()
            .take(40)
            .collect::<String>();
        let res = import(&app, &token, "?dry_run=true", body).await;
        assert_eq!(
            res.status,
            if status == 201 { 200 } else { status },
            "{shown}: {}",
            res.text
        );
        if !field.is_empty() {
            assert_eq!(res.error_fields(), vec![field.to_owned()], "{shown}");
        }
    }
    // Over 5 MiB: 413, while the client is still sending.
    let big = vec![b'a'; 5 * 1024 * 1024 + 1];
    let res = import(&app, &token, "", big).await;
    res.assert_problem(413, "too_large");
    assert!(all_applications(&app, &token).await.is_empty());
}

trait Utf16 {
    fn encode_utf16_le(&self) -> Vec<u8>;
}

impl Utf16 for str {
    fn encode_utf16_le(&self) -> Vec<u8> {
        let mut out = vec![0xff, 0xfe];
        for unit in self.encode_utf16() {
            out.extend_from_slice(&unit.to_le_bytes());
        }
        out
    }
}

#[actix_web::test]
async fn the_csv_export_follows_the_list_and_neutralises_formulas_and_reimports_exactly() {
    let app = spawn_app().await;
    let (token, _) = app.user("csvout@example.com").await;
    for (company, status, tags) in [
        ("=cmd|' /C calc'!A0", "applied", vec!["rust", "remote"]),
        ("+Plus Corp", "wishlist", vec![]),
        ("Acme", "applied", vec!["go"]),
        ("@Mention", "applied", vec![]),
    ] {
        let a = app
            .application(&token, json!({"company": company, "title": "-Engineer", "tags": tags, "salary_min": 1000, "salary_max": 2000}))
            .await;
        if status != "wishlist" {
            app.walk(&token, a["id"].as_str().unwrap(), &[status]).await;
        }
    }
    let (headers, all) = csv_export(&app, &token, "?sort=company").await;
    assert!(headers["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/csv"));
    assert_eq!(headers["cache-control"], "no-store");
    assert!(headers["content-disposition"]
        .to_str()
        .unwrap()
        .contains(".csv"));
    let lines: Vec<&str> = all.split("\r\n").collect();
    assert_eq!(
        lines[0],
        "id,company,title,status,url,location,work_mode,salary_min,salary_max,salary_currency,source,applied_on,deadline,tags,contact_name,contact_email,next_action,next_action_at,priority_score,created_at,updated_at"
    );
    assert_eq!(lines.len(), 6, "header, 4 rows, the final CRLF: {all:?}");
    assert!(!all.replace("\r\n", "").contains('\n'));
    for line in &lines[1..5] {
        let company_cell = line.split(',').nth(1).unwrap();
        assert!(
            !company_cell
                .trim_start_matches('"')
                .starts_with(['=', '+', '-', '@']),
            "{line}"
        );
        assert!(line.contains("'-Engineer"), "{line}");
    }
    assert!(all.contains("'=cmd|"), "{all}");
    assert!(all.contains("rust; remote"), "{all}");
    // The list's filters and sort; limit and cursor do not apply.
    let (_, applied) = csv_export(&app, &token, "?status=applied&sort=-company&limit=1").await;
    let rows: Vec<&str> = applied
        .split("\r\n")
        .filter(|l| !l.is_empty())
        .skip(1)
        .collect();
    assert_eq!(rows.len(), 3);
    assert!(
        rows[0].contains("Acme") && rows[2].contains("'=cmd"),
        "{applied}"
    );
    let (_, none) = csv_export(&app, &token, "?q=nothing-matches").await;
    assert_eq!(none.split("\r\n").filter(|l| !l.is_empty()).count(), 1);
    let bad = app
        .get(&token, "/api/v1/export/applications.csv?status=nope")
        .await;
    bad.assert_problem(400, "bad_request");

    // Our own CSV imports into another account as the same applications.
    let (other, _) = app.user("csvin@example.com").await;
    let res = import(&app, &other, "", all.into_bytes()).await;
    assert_eq!(res.status, 201, "{}", res.text);
    assert_eq!(res.body["created"], 4, "{}", res.text);
    let fields = |apps: Vec<Value>| -> Vec<Value> {
        apps.into_iter()
            .map(|a| {
                json!([
                    a["company"],
                    a["title"],
                    a["status"],
                    a["tags"],
                    a["salary_min"],
                    a["salary_max"],
                    a["salary_currency"],
                    a["applied_on"]
                ])
            })
            .collect()
    };
    assert_eq!(
        fields(all_applications(&app, &other).await),
        fields(all_applications(&app, &token).await)
    );
}

#[actix_web::test]
async fn a_browser_form_upload_is_read_from_its_file_field() {
    let app = spawn_app().await;
    let (token, _) = app.user("multipart@example.com").await;
    let form = reqwest::multipart::Form::new()
        .text("note", "ignored")
        .part(
            "file",
            reqwest::multipart::Part::bytes(fixture("teal-style.csv"))
                .file_name("teal.csv")
                .mime_str("text/csv")
                .unwrap(),
        );
    let res = app
        .http
        .post(format!("{}/api/v1/import/csv?dry_run=true", app.address))
        .bearer_auth(&token)
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["created"], 2, "{body}");
}
