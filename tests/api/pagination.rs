use std::collections::HashSet;

use serde_json::{json, Value};

use crate::helpers::{spawn_app, TestApp};

/// The contract's sorts.
const SORTS: [&str; 6] = [
    "updated_at",
    "created_at",
    "applied_on",
    "company",
    "priority_score",
    "deadline",
];

async fn all_pages(
    app: &TestApp,
    token: &str,
    query: &str,
    limit: usize,
    mut between: impl FnMut(usize) -> Option<Value>,
) -> Vec<Value> {
    let mut items = Vec::new();
    let mut cursor: Option<String> = None;
    let mut page = 0;
    loop {
        let mut path = format!("/api/v1/applications?limit={limit}{query}");
        if let Some(c) = &cursor {
            path.push_str(&format!("&cursor={c}"));
        }
        let res = app.get(token, &path).await;
        assert_eq!(res.status, 200, "{}", res.text);
        items.extend(res.body["items"].as_array().unwrap().iter().cloned());
        if let Some(body) = between(page) {
            app.application(token, body).await;
        }
        page += 1;
        match res.body["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_owned()),
            None => break,
        }
    }
    items
}

fn ids(items: &[Value]) -> Vec<String> {
    items
        .iter()
        .map(|i| i["id"].as_str().unwrap().to_owned())
        .collect()
}

#[actix_web::test]
async fn pages_neither_skip_nor_repeat_while_rows_are_inserted() {
    let app = spawn_app().await;
    let (token, _) = app.user("ada@example.com").await;
    let mut original = HashSet::new();
    for i in 0..23 {
        let a = app
            .application(
                &token,
                json!({"company": format!("Company {:02}", i % 7), "title": format!("Role {i}")}),
            )
            .await;
        original.insert(a["id"].as_str().unwrap().to_owned());
    }
    for sort in [
        "",
        "&sort=created_at",
        "&sort=-created_at",
        "&sort=company",
        "&sort=-company",
        "&sort=updated_at",
    ] {
        let mut n = 0;
        let items = all_pages(&app, &token, sort, 4, |_| {
            n += 1;
            Some(json!({"company": format!("Inserted {n} {sort}"), "title": "New"}))
        })
        .await;
        let seen = ids(&items);
        let unique: HashSet<_> = seen.iter().cloned().collect();
        assert_eq!(unique.len(), seen.len(), "{sort}: no row repeated");
        assert!(
            original.is_subset(&unique),
            "{sort}: no original row skipped"
        );
    }
}

#[actix_web::test]
async fn sorts_order_as_asked_with_nulls_last_both_ways_and_text_without_case() {
    let app = spawn_app().await;
    let (token, _) = app.user("ada@example.com").await;
    for (company, applied) in [
        ("beta", Some("2026-03-01")),
        ("Alpha", None),
        ("gamma", Some("2026-01-01")),
        ("Delta", Some("2026-02-01")),
        ("epsilon", None),
    ] {
        let mut body = json!({"company": company, "title": "Dev"});
        if let Some(d) = applied {
            body["applied_on"] = json!(d);
        }
        app.application(&token, body).await;
    }
    let companies = |items: &[Value]| {
        items
            .iter()
            .map(|i| i["company"].as_str().unwrap().to_owned())
            .collect::<Vec<_>>()
    };
    let asc = all_pages(&app, &token, "&sort=company", 2, |_| None).await;
    assert_eq!(
        companies(&asc),
        ["Alpha", "beta", "Delta", "epsilon", "gamma"]
    );
    let desc = all_pages(&app, &token, "&sort=-company", 2, |_| None).await;
    assert_eq!(
        companies(&desc),
        ["gamma", "epsilon", "Delta", "beta", "Alpha"]
    );
    let applied = all_pages(&app, &token, "&sort=applied_on", 2, |_| None).await;
    let dates: Vec<Value> = applied.iter().map(|i| i["applied_on"].clone()).collect();
    assert_eq!(
        &dates[..3],
        &[
            json!("2026-01-01"),
            json!("2026-02-01"),
            json!("2026-03-01")
        ]
    );
    assert!(dates[3].is_null() && dates[4].is_null());
    let applied_desc = all_pages(&app, &token, "&sort=-applied_on", 2, |_| None).await;
    let dates: Vec<Value> = applied_desc
        .iter()
        .map(|i| i["applied_on"].clone())
        .collect();
    assert_eq!(
        &dates[..3],
        &[
            json!("2026-03-01"),
            json!("2026-02-01"),
            json!("2026-01-01")
        ]
    );
    assert!(
        dates[3].is_null() && dates[4].is_null(),
        "NULLs last descending too"
    );
    let deadline = all_pages(&app, &token, "&sort=-deadline", 2, |_| None).await;
    assert_eq!(deadline.len(), 5);
    let score = all_pages(&app, &token, "&sort=-priority_score", 2, |_| None).await;
    assert_eq!(score.len(), 5);
}

#[actix_web::test]
async fn a_cursor_used_with_another_sort_or_filter_answers_400() {
    let app = spawn_app().await;
    let (token, _) = app.user("ada@example.com").await;
    for i in 0..3 {
        app.application(&token, json!({"company": format!("C{i}"), "title": "Dev"}))
            .await;
    }
    let first = app
        .get(&token, "/api/v1/applications?limit=1&sort=company")
        .await;
    let cursor = first.body["next_cursor"].as_str().unwrap();
    let ok = app
        .get(
            &token,
            &format!("/api/v1/applications?limit=1&sort=company&cursor={cursor}"),
        )
        .await;
    assert_eq!(ok.status, 200);
    assert_eq!(ok.body["items"][0]["company"], "C1");
    for other in ["&sort=-company", "", "&status=applied", "&q=c"] {
        let res = app
            .get(
                &token,
                &format!("/api/v1/applications?limit=1{other}&cursor={cursor}"),
            )
            .await;
        res.assert_problem(400, "bad_request");
        assert_eq!(res.error_fields(), ["cursor"], "{other}");
    }
    let other_list = app
        .get(&token, &format!("/api/v1/tokens?cursor={cursor}"))
        .await;
    other_list.assert_problem(400, "bad_request");
}

#[actix_web::test]
async fn filters_combine_status_work_mode_tags_and_search() {
    let app = spawn_app().await;
    let (token, _) = app.user("ada@example.com").await;
    let a = app.application(&token, json!({"company": "Acme", "title": "Rust Dev", "work_mode": "remote", "tags": ["rust", "db"], "status": "applied"})).await;
    app.application(&token, json!({"company": "Globex", "title": "Go Dev", "work_mode": "onsite", "tags": ["go"], "location": "Zürich 100%"})).await;
    let c = app.application(&token, json!({"company": "Initech", "title": "SRE", "work_mode": "hybrid", "tags": ["rust"], "job_description": "Kubernetes and Postgres"})).await;
    app.post(
        &token,
        &format!("/api/v1/applications/{}/notes", c["id"].as_str().unwrap()),
        json!({"body": "Referred by Maria"}),
    )
    .await;
    let names = |res: &crate::helpers::Res| {
        let mut v: Vec<String> = res.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["company"].as_str().unwrap().to_owned())
            .collect();
        v.sort();
        v
    };
    assert_eq!(
        names(&app.get(&token, "/api/v1/applications?status=applied").await),
        ["Acme"]
    );
    assert_eq!(
        names(
            &app.get(&token, "/api/v1/applications?status=applied,wishlist")
                .await
        ),
        ["Acme", "Globex", "Initech"]
    );
    assert_eq!(
        names(
            &app.get(&token, "/api/v1/applications?work_mode=remote,hybrid")
                .await
        ),
        ["Acme", "Initech"]
    );
    assert_eq!(
        names(&app.get(&token, "/api/v1/applications?tag=rust").await),
        ["Acme", "Initech"]
    );
    assert_eq!(
        names(
            &app.get(&token, "/api/v1/applications?tag=rust&tag=db")
                .await
        ),
        ["Acme"]
    );
    assert_eq!(
        names(&app.get(&token, "/api/v1/applications?q=kubernetes").await),
        ["Initech"]
    );
    assert_eq!(
        names(&app.get(&token, "/api/v1/applications?q=MARIA").await),
        ["Initech"],
        "notes are searched"
    );
    assert_eq!(
        names(&app.get(&token, "/api/v1/applications?q=rust%20dev").await),
        ["Acme"]
    );
    assert_eq!(
        names(&app.get(&token, "/api/v1/applications?q=100%25").await),
        ["Globex"],
        "% is literal"
    );
    assert_eq!(
        names(&app.get(&token, "/api/v1/applications?q=_").await),
        Vec::<String>::new(),
        "_ is literal"
    );
    assert_eq!(
        names(
            &app.get(&token, "/api/v1/applications?q=dev&work_mode=remote")
                .await
        ),
        ["Acme"]
    );
    let _ = a;
}

/// A search first looks for its page among the next rows in the sort's order
/// and asks the index only when they do not fill it (issue #18): a rare word
/// (beyond that walk) and a common one must page exactly as filtering the
/// whole list would, in every sort, with notes searched too.
#[actix_web::test]
async fn a_search_pages_like_the_filtered_list_whether_its_word_is_rare_or_common() {
    let app = spawn_app().await;
    let (token, _) = app.user("ada@example.com").await;
    let mut rare = HashSet::new();
    for i in 0..260 {
        let mut body = json!({
            "company": format!("Company {:03}", (i * 37) % 260),
            "title": "Platform Role",
        });
        if i % 3 == 0 {
            body["applied_on"] = json!(format!("2026-0{}-1{}", 1 + i % 9, i % 10));
        }
        if i % 40 == 7 {
            body["job_description"] = json!("You will thread the NEEDLE between teams.");
        }
        let a = app.application(&token, body).await;
        let id = a["id"].as_str().unwrap().to_owned();
        if i % 40 == 7 {
            rare.insert(id.clone());
        }
        if i == 130 {
            app.post(
                &token,
                &format!("/api/v1/applications/{id}/notes"),
                json!({"body": "A needle in a note"}),
            )
            .await;
            rare.insert(id);
        }
    }
    for sort in SORTS {
        for dir in ["", "-"] {
            let order = format!("&sort={dir}{sort}");
            let everything = ids(&all_pages(&app, &token, &order, 100, |_| None).await);
            assert_eq!(everything.len(), 260);
            let expected: Vec<String> = everything
                .iter()
                .filter(|id| rare.contains(*id))
                .cloned()
                .collect();
            let found =
                ids(&all_pages(&app, &token, &format!("{order}&q=needle"), 2, |_| None).await);
            assert_eq!(found, expected, "rare word, sort {dir}{sort}");
            let common =
                ids(&all_pages(&app, &token, &format!("{order}&q=platform"), 50, |_| None).await);
            assert_eq!(common, everything, "common word, sort {dir}{sort}");
        }
    }
}

/// The list is served from the user's working set in memory, and from
/// PostgreSQL while that cannot load: both give the same pages in the same
/// order, and a cursor from one continues in the other (every sort, both
/// ways, with filters and a search).
#[actix_web::test]
async fn the_list_from_memory_and_from_postgresql_agree_and_share_cursors() {
    use jobcopilot::store::applications::{list, ListQuery, Sort};
    let app = spawn_app().await;
    let (token, user) = app.user("ada@example.com").await;
    let user: uuid::Uuid = user.parse().unwrap();
    let companies = [
        "beta", "Alpha", "alpha", "Delta", "epsilon", "Zeta", "gamma",
    ];
    for i in 0..23usize {
        let mut body = json!({
            "company": companies[i % companies.len()],
            "title": if i % 4 == 0 { "Rust engineer" } else { "Developer" },
            "status": if i % 2 == 0 { "wishlist" } else { "applied" },
            "tags": if i % 3 == 0 { json!(["remote"]) } else { json!([]) },
        });
        if i % 3 != 1 {
            body["applied_on"] = json!(format!("2026-0{}-0{}", 1 + i % 3, 1 + i % 5));
            body["deadline"] = json!(format!("2026-1{}-0{}", i % 3, 1 + i % 7));
        }
        app.application(&token, body).await;
    }
    let client = app.pool.get().await.unwrap();
    for name in SORTS {
        for dir in ["", "-"] {
            for (filter, statuses, tags, q) in [
                ("", vec![], vec![], None),
                (
                    "&status=applied&tag=remote",
                    vec!["applied"],
                    vec!["remote"],
                    None,
                ),
                ("&q=RUST", vec![], vec![], Some("RUST")),
            ] {
                let sort = format!("{dir}{name}");
                let mut cursor: Option<String> = None;
                let mut from_memory = Vec::new();
                loop {
                    let mut path = format!("/api/v1/applications?limit=4&sort={sort}{filter}");
                    if let Some(c) = &cursor {
                        path.push_str(&format!("&cursor={c}"));
                    }
                    let res = app.get(&token, &path).await;
                    assert_eq!(res.status, 200, "{path}");
                    let query = ListQuery {
                        statuses: statuses
                            .iter()
                            .filter_map(|s| jobcopilot::domain::Status::parse(s))
                            .collect(),
                        tags: tags.iter().map(|t| t.to_string()).collect(),
                        q: q.map(str::to_owned),
                        sort: Sort::parse(&sort).unwrap(),
                        limit: 4,
                        cursor: cursor.clone(),
                        ..Default::default()
                    };
                    let sql = list(&client, user, &query).await.unwrap();
                    let ids = |items: Vec<Value>| -> Vec<String> {
                        items
                            .iter()
                            .map(|i| i["id"].as_str().unwrap().to_owned())
                            .collect()
                    };
                    let memory_ids = ids(res.body["items"].as_array().unwrap().clone());
                    let sql_ids: Vec<String> = sql.items.iter().map(|a| a.id.to_string()).collect();
                    assert_eq!(memory_ids, sql_ids, "{path}");
                    from_memory.extend(memory_ids);
                    let next = res.body["next_cursor"].as_str().map(str::to_owned);
                    assert_eq!(next.is_some(), sql.next_cursor.is_some(), "{path}");
                    // The SQL path's cursor continues from memory the same way.
                    if let (Some(c), Some(own)) = (&sql.next_cursor, &next) {
                        let at = |c: &str| {
                            format!("/api/v1/applications?limit=4&sort={sort}{filter}&cursor={c}")
                        };
                        let theirs = app.get(&token, &at(c)).await;
                        let ours = app.get(&token, &at(own)).await;
                        assert_eq!(theirs.status, 200, "{path} with the SQL cursor");
                        assert_eq!(theirs.body["items"], ours.body["items"], "{path}");
                    }
                    match next {
                        Some(c) => cursor = Some(c),
                        None => break,
                    }
                }
                let distinct: HashSet<&String> = from_memory.iter().collect();
                assert_eq!(
                    distinct.len(),
                    from_memory.len(),
                    "{sort}{filter}: no repeats"
                );
                assert!(!from_memory.is_empty(), "{sort}{filter}");
            }
        }
    }
}
