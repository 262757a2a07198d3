//! AI drafts: the built-in drafter with nothing configured, and a model
//! server speaking the real OpenAI wire protocol on loopback for streaming,
//! retries, give-ups, stalls, cancels, limits and live progress.

use std::time::Duration;

use serde_json::{json, Value};

use crate::helpers::{spawn_app, spawn_app_with, TestApp};
use crate::model_server::{self, ModelServer, WORDS};

const KINDS: [&str; 5] = [
    "cover_letter",
    "interview_questions",
    "follow_up_email",
    "thank_you_note",
    "resume_tailoring",
];

async fn app_with_model(model: &ModelServer, extra: &[(&str, &str)]) -> TestApp {
    let mut pairs = vec![
        ("ai_base_url", model.base.as_str()),
        ("ai_model", "test-model"),
        ("ai_stall_seconds", "1"),
        ("ai_timeout_seconds", "20"),
        ("ai_lease_seconds", "2"),
        ("ai_retry_base_millis", "100"),
        ("ai_poll_millis", "100"),
        ("ai_concurrency", "2"),
    ];
    pairs.extend_from_slice(extra);
    spawn_app_with(&pairs).await
}

/// Waits until the generation has finished; answers it.
async fn finished(app: &TestApp, token: &str, id: &str) -> Value {
    for _ in 0..300 {
        let g = app.get(token, &format!("/api/v1/generations/{id}")).await;
        assert_eq!(g.status, 200, "{}", g.text);
        if ["succeeded", "failed", "cancelled"].contains(&g.body["status"].as_str().unwrap()) {
            return g.body;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("generation {id} never finished");
}

async fn ask(app: &TestApp, token: &str, app_id: &str, body: Value) -> String {
    let res = app
        .post(
            token,
            &format!("/api/v1/applications/{app_id}/generations"),
            body,
        )
        .await;
    assert_eq!(res.status, 202, "{}", res.text);
    assert_eq!(res.body["status"], "queued");
    let id = res.id();
    assert_eq!(
        res.header("location"),
        Some(format!("/api/v1/generations/{id}").as_str())
    );
    id
}

async fn application(app: &TestApp, token: &str, company: &str) -> String {
    app.application(
        token,
        json!({"company": company, "title": "Backend engineer", "status": "applied",
               "job_description": "- Build services in Rust\n- Operate PostgreSQL\n- Mentor engineers"}),
    )
    .await["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

#[actix_web::test]
async fn with_nothing_configured_the_builtin_drafter_writes_every_kind() {
    let app = spawn_app().await;
    let (token, _) = app.user("ada@example.com").await;
    let res = app
        .req(reqwest::Method::PUT, "/api/v1/profile")
        .bearer(&token)
        .json(&json!({"headline": "backend engineer", "skills": ["Rust", "PostgreSQL"], "resume_text": "- Built a Rust service"}))
        .send()
        .await;
    assert_eq!(res.status, 200, "{}", res.text);
    let id = application(&app, &token, "Acme").await;
    let status = app.get(&token, "/api/v1/ai/status").await;
    assert_eq!(status.body["provider"], "builtin");
    assert_eq!(status.body["reachable"], true);
    for kind in KINDS {
        let g = ask(&app, &token, &id, json!({"kind": kind, "tone": "warm"})).await;
        let done = finished(&app, &token, &g).await;
        assert_eq!(done["status"], "succeeded", "{kind}: {done}");
        assert_eq!(done["provider"], "builtin");
        assert_eq!(done["model"], "template-drafter");
        let output = done["output"].as_str().unwrap();
        assert!(output.contains("Acme"), "{kind}: {output}");
        assert_eq!(done["progress"], output.chars().count());
        assert!(
            done["prompt"].as_str().unwrap().contains("No model"),
            "the audit says what made it"
        );
        // written from the fit, which the draft keeps
        assert_eq!(done["fit"]["met_count"], 2, "{done}");
        assert_eq!(
            done["fit"]["requirements"][0]["evidence"][0],
            json!({"source": "resume", "text": "Built a Rust service"})
        );
        assert!(output.contains("built-in drafter"), "{kind}: {output}");
        assert_eq!(done["attempts"], 1);
    }
    let list = app
        .get(&token, &format!("/api/v1/generations?application_id={id}"))
        .await;
    assert_eq!(list.body["items"].as_array().unwrap().len(), 5);
    assert_eq!(
        list.body["items"][0]["kind"], "resume_tailoring",
        "newest first"
    );
}

#[actix_web::test]
async fn every_kind_streams_from_an_openai_compatible_server_with_usage_and_an_audit() {
    let model = model_server::start().await;
    let app = app_with_model(&model, &[("ai_models", "thank_you_note=small-model")]).await;
    let (token, _) = app.user("ada@example.com").await;
    let id = application(&app, &token, "ok").await;
    for kind in KINDS {
        let g = ask(
            &app,
            &token,
            &id,
            json!({"kind": kind, "instructions": "mention my open-source work"}),
        )
        .await;
        let done = finished(&app, &token, &g).await;
        assert_eq!(done["status"], "succeeded", "{kind}: {done}");
        assert_eq!(done["output"], WORDS.concat());
        assert_eq!(done["provider"], "openai-compatible");
        let expected_model = if kind == "thank_you_note" {
            "small-model"
        } else {
            "test-model"
        };
        assert_eq!(done["model"], expected_model);
        assert_eq!(
            done["usage"],
            json!({"prompt_tokens": 42, "completion_tokens": 5})
        );
        let prompt = done["prompt"].as_str().unwrap();
        assert!(
            prompt.contains("<<<BEGIN JOB DESCRIPTION>>>")
                && prompt.contains("Build services in Rust")
        );
        assert!(prompt.contains("mention my open-source work"));
        // grounded: the model is given the fit and told to use the profile's
        // facts only, and the draft keeps the fit it was given
        assert!(prompt.contains("Use only facts from the candidate's profile and résumé"));
        assert!(
            prompt.contains(
                "<<<BEGIN FIT: THE JOB'S REQUIREMENTS AND THE CANDIDATE'S OWN EVIDENCE>>>\n\
                 - [missing] Build services in Rust (required) ← NO EVIDENCE in the profile: do not claim it\n"
            ),
            "{prompt}"
        );
        assert_eq!(done["fit"]["total"], 3, "{done}");
        assert_eq!(
            done["fit"]["requirements"][0]["text"],
            "Build services in Rust"
        );
        assert!(done["started_at"].is_string() && done["finished_at"].is_string());
    }
    let status = app.get(&token, "/api/v1/ai/status").await;
    assert_eq!(status.body["provider"], "openai-compatible");
    assert_eq!(status.body["model"], "test-model");
    assert_eq!(status.body["reachable"], true);
}

#[actix_web::test]
async fn a_429_is_retried_after_retry_after_and_a_plain_json_answer_is_accepted() {
    let model = model_server::start().await;
    let app = app_with_model(&model, &[]).await;
    let (token, _) = app.user("ada@example.com").await;
    let flaky = application(&app, &token, "flaky").await;
    let started = std::time::Instant::now();
    let g = ask(&app, &token, &flaky, json!({"kind": "cover_letter"})).await;
    let done = finished(&app, &token, &g).await;
    assert_eq!(done["status"], "succeeded", "{done}");
    assert_eq!(done["attempts"], 2);
    assert_eq!(model.calls("flaky"), 2);
    assert!(
        started.elapsed() >= Duration::from_millis(900),
        "waited for Retry-After"
    );
    assert_eq!(
        done["error"],
        Value::Null,
        "a success clears the retry note"
    );
    let timings = done["timings"].as_array().unwrap();
    assert_eq!(timings.len(), 2, "each attempt is in the audit: {done}");
    assert_eq!(timings[0]["outcome"], "failed");
    assert!(timings[0]["error"].as_str().unwrap().contains("429"));
    assert_eq!(timings[1]["outcome"], "succeeded");

    let json_app = application(&app, &token, "json").await;
    let g = ask(&app, &token, &json_app, json!({"kind": "follow_up_email"})).await;
    let done = finished(&app, &token, &g).await;
    assert_eq!(done["output"], "A whole answer at once.");
    assert_eq!(done["usage"]["completion_tokens"], 6);
}

#[actix_web::test]
async fn server_errors_stalls_and_malformed_chunks_are_retried_then_fail_with_a_clear_error() {
    let model = model_server::start().await;
    let app = app_with_model(&model, &[]).await;
    let (token, _) = app.user("ada@example.com").await;
    for (company, words) in [
        (
            "broken",
            "the model server answered 500: the GPU caught fire",
        ),
        ("stall", "the model sent nothing for 1 seconds"),
        ("malformed", "malformed chunk"),
    ] {
        let id = application(&app, &token, company).await;
        let g = ask(&app, &token, &id, json!({"kind": "cover_letter"})).await;
        let done = finished(&app, &token, &g).await;
        assert_eq!(done["status"], "failed", "{company}: {done}");
        assert_eq!(done["attempts"], 3, "{company}");
        assert_eq!(model.calls(company), 3, "{company}");
        let error = done["error"].as_str().unwrap();
        assert!(error.contains(words), "{company}: {error}");
        assert!(error.contains("gave up after 3 attempts"), "{error}");
        assert!(!error.contains('\n'));
    }
    // A 401 is not worth retrying.
    let id = application(&app, &token, "unauthorized").await;
    let g = ask(&app, &token, &id, json!({"kind": "cover_letter"})).await;
    let done = finished(&app, &token, &g).await;
    assert_eq!(done["status"], "failed");
    assert_eq!(done["attempts"], 1);
    assert_eq!(
        done["error"],
        "the model server answered 401: Incorrect API key provided"
    );
    // A stall that happens once is survived.
    let id = application(&app, &token, "stall-once").await;
    let g = ask(&app, &token, &id, json!({"kind": "cover_letter"})).await;
    let done = finished(&app, &token, &g).await;
    assert_eq!(done["status"], "succeeded", "{done}");
    assert_eq!(done["attempts"], 2);
}

#[actix_web::test]
async fn cancel_stops_a_running_job_and_a_queued_one_at_once_and_a_finished_one_answers_409() {
    let model = model_server::start().await;
    let app = app_with_model(&model, &[("ai_concurrency", "1")]).await;
    let (token, _) = app.user("ada@example.com").await;
    let slow = application(&app, &token, "slow").await;
    let running = ask(&app, &token, &slow, json!({"kind": "cover_letter"})).await;
    let queued = ask(&app, &token, &slow, json!({"kind": "thank_you_note"})).await;
    // Wait until the first is running and has written something.
    for _ in 0..200 {
        let g = app
            .get(&token, &format!("/api/v1/generations/{running}"))
            .await;
        if g.body["progress"].as_i64().unwrap_or(0) > 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let res = app
        .post(
            &token,
            &format!("/api/v1/generations/{queued}/cancel"),
            json!({}),
        )
        .await;
    assert_eq!(res.status, 202, "{}", res.text);
    assert_eq!(
        res.body["status"], "cancelled",
        "a queued job is cancelled at once"
    );
    let res = app
        .post(
            &token,
            &format!("/api/v1/generations/{running}/cancel"),
            json!({}),
        )
        .await;
    assert_eq!(res.status, 202);
    let done = finished(&app, &token, &running).await;
    assert_eq!(done["status"], "cancelled");
    let partial = done["output"].as_str().unwrap();
    assert!(
        partial.starts_with("part0 ") && !partial.contains("part59"),
        "{partial}"
    );
    let res = app
        .post(
            &token,
            &format!("/api/v1/generations/{running}/cancel"),
            json!({}),
        )
        .await;
    res.assert_problem(409, "conflict");
    // Deleting works on any, and another user sees none of it.
    let (other, _) = app.user("bob@example.com").await;
    assert_eq!(
        app.get(&other, &format!("/api/v1/generations/{running}"))
            .await
            .status,
        404
    );
    assert_eq!(
        app.post(
            &other,
            &format!("/api/v1/applications/{slow}/generations"),
            json!({"kind": "cover_letter"})
        )
        .await
        .status,
        404
    );
    assert_eq!(
        app.delete(&token, &format!("/api/v1/generations/{running}"))
            .await
            .status,
        204
    );
    assert_eq!(
        app.get(&token, &format!("/api/v1/generations/{running}"))
            .await
            .status,
        404
    );
}

#[actix_web::test]
async fn requests_are_validated_and_limited_per_user() {
    let model = model_server::start().await;
    let app = app_with_model(
        &model,
        &[
            ("ai_user_concurrency", "2"),
            ("ai_daily_quota", "3"),
            ("ai_concurrency", "1"),
        ],
    )
    .await;
    let (token, _) = app.user("ada@example.com").await;
    let slow = application(&app, &token, "slow").await;
    let res = app
        .post(
            &token,
            &format!("/api/v1/applications/{slow}/generations"),
            json!({"kind": "sonnet"}),
        )
        .await;
    res.assert_problem(422, "validation");
    assert_eq!(res.error_fields(), vec!["kind"]);
    let res = app
        .post(
            &token,
            &format!("/api/v1/applications/{slow}/generations"),
            json!({"kind": "cover_letter", "interview_id": uuid::Uuid::now_v7()}),
        )
        .await;
    assert_eq!(
        res.status, 404,
        "an interview of another application (or nobody's)"
    );

    let a = ask(&app, &token, &slow, json!({"kind": "cover_letter"})).await;
    let b = ask(&app, &token, &slow, json!({"kind": "cover_letter"})).await;
    let res = app
        .post(
            &token,
            &format!("/api/v1/applications/{slow}/generations"),
            json!({"kind": "cover_letter"}),
        )
        .await;
    res.assert_problem(429, "rate_limited");
    assert!(res.header("retry-after").is_some());
    for g in [&a, &b] {
        app.post(
            &token,
            &format!("/api/v1/generations/{g}/cancel"),
            json!({}),
        )
        .await;
        finished(&app, &token, g).await;
    }
    let _c = ask(&app, &token, &slow, json!({"kind": "cover_letter"})).await;
    let res = app
        .post(
            &token,
            &format!("/api/v1/applications/{slow}/generations"),
            json!({"kind": "cover_letter"}),
        )
        .await;
    res.assert_problem(429, "rate_limited");
    assert!(
        res.body["detail"]
            .as_str()
            .unwrap()
            .contains("today's 3 drafts"),
        "{}",
        res.text
    );
}

#[actix_web::test]
async fn interview_questions_can_be_prepared_for_one_interview_and_are_kept_with_it() {
    let model = model_server::start().await;
    let app = app_with_model(&model, &[]).await;
    let (token, _) = app.user("ada@example.com").await;
    let id = application(&app, &token, "ok").await;
    let interview = app
        .post(&token, "/api/v1/interviews", json!({"application_id": id, "kind": "behavioral", "scheduled_at": "2030-01-15T10:00:00Z", "interviewers": ["Grace"]}))
        .await;
    assert_eq!(interview.status, 201, "{}", interview.text);
    let iv = interview.id();
    let g = ask(
        &app,
        &token,
        &id,
        json!({"kind": "interview_questions", "interview_id": iv}),
    )
    .await;
    let done = finished(&app, &token, &g).await;
    assert_eq!(done["interview_id"], iv.as_str());
    assert!(
        done["prompt"]
            .as_str()
            .unwrap()
            .contains("a behavioral interview"),
        "the kind shapes the questions"
    );
    let kept = app
        .get(&token, &format!("/api/v1/generations?interview_id={iv}"))
        .await;
    assert_eq!(kept.body["items"].as_array().unwrap().len(), 1);
}

#[actix_web::test]
async fn live_events_deliver_the_draft_in_order_as_it_is_written() {
    use futures_util::StreamExt;
    let model = model_server::start().await;
    let app = app_with_model(&model, &[]).await;
    let (token, _) = app.user("ada@example.com").await;
    let slow = application(&app, &token, "slow").await;
    let res = app.open_stream(&token).await;
    let g = ask(&app, &token, &slow, json!({"kind": "cover_letter"})).await;
    let mut stream = res.bytes_stream();
    let mut buffer = String::new();
    let mut text = String::new();
    let mut progress_events = 0;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    'read: loop {
        let chunk = tokio::time::timeout_at(deadline, stream.next())
            .await
            .expect("the draft finished in time")
            .expect("the stream stays open")
            .unwrap();
        buffer.push_str(&String::from_utf8_lossy(&chunk));
        while let Some(end) = buffer.find("\n\n") {
            let frame: String = buffer.drain(..end + 2).collect();
            let field = |name: &str| {
                frame
                    .lines()
                    .find_map(|l| l.strip_prefix(&format!("{name}: ")).map(str::to_owned))
            };
            let (Some(kind), Some(data)) = (field("event"), field("data")) else {
                continue;
            };
            let data: Value = serde_json::from_str(&data).unwrap();
            match kind.as_str() {
                "generation.progress" => {
                    assert_eq!(data["id"], g.as_str());
                    assert_eq!(
                        data["offset"],
                        text.chars().count(),
                        "in order, nothing missing or repeated"
                    );
                    text.push_str(data["delta"].as_str().unwrap());
                    progress_events += 1;
                }
                "generation.finished" => {
                    assert_eq!(data, json!({"id": g, "status": "succeeded"}));
                    break 'read;
                }
                _ => {}
            }
        }
    }
    assert!(
        progress_events > 3,
        "the draft arrived in pieces ({progress_events})"
    );
    let done = finished(&app, &token, &g).await;
    assert_eq!(done["output"].as_str().unwrap(), text);
    assert!(text.starts_with("part0 part1 ") && text.ends_with("part59 "));
}

#[actix_web::test]
async fn non_ascii_text_cut_across_network_reads_arrives_whole() {
    // Every event of this scenario is cut inside a multi-byte character.
    let model = model_server::start().await;
    let app = app_with_model(&model, &[]).await;
    let (token, _) = app.user("ada@example.com").await;
    let id = application(&app, &token, "multibyte").await;
    let g = ask(&app, &token, &id, json!({"kind": "cover_letter"})).await;
    let done = finished(&app, &token, &g).await;
    assert_eq!(done["status"], "succeeded", "{done}");
    let output = done["output"].as_str().unwrap();
    assert_eq!(output, model_server::MULTIBYTE.concat());
    assert!(!output.contains('\u{FFFD}'), "{output}");
}

#[actix_web::test]
async fn deleting_drafts_does_not_give_back_the_daily_quota() {
    let app = spawn_app_with(&[("ai_daily_quota", "2")]).await;
    let (token, _) = app.user("ada@example.com").await;
    let id = application(&app, &token, "Acme").await;
    for _ in 0..2 {
        let g = ask(&app, &token, &id, json!({"kind": "cover_letter"})).await;
        finished(&app, &token, &g).await;
        let res = app
            .delete(&token, &format!("/api/v1/generations/{g}"))
            .await;
        assert_eq!(res.status, 204, "{}", res.text);
    }
    let res = app
        .post(
            &token,
            &format!("/api/v1/applications/{id}/generations"),
            json!({"kind": "cover_letter"}),
        )
        .await;
    res.assert_problem(429, "rate_limited");
    assert!(res.header("retry-after").is_some());
    // Parallel requests of another user cannot slip past the quota together.
    let (other, _) = app.user("bob@example.com").await;
    let theirs = application(&app, &other, "Initech").await;
    let path = format!("/api/v1/applications/{theirs}/generations");
    let tries = (0..8).map(|_| app.post(&other, &path, json!({"kind": "follow_up_email"})));
    let statuses: Vec<u16> = futures_util::future::join_all(tries)
        .await
        .iter()
        .map(|r| r.status.as_u16())
        .collect();
    assert_eq!(
        statuses.iter().filter(|s| **s == 202).count(),
        2,
        "{statuses:?}"
    );
    assert!(
        statuses.iter().all(|s| [202, 429].contains(s)),
        "{statuses:?}"
    );
}

/// A page is remembered until something of the user's changes. A draft
/// deleted through the API changes nothing the user's actor holds, yet the
/// very next view of the application's page no longer shows it (with no
/// flash message in between, so that view may come from memory).
#[actix_web::test]
async fn a_draft_deleted_through_the_api_is_gone_from_the_next_page_view() {
    let app = spawn_app().await;
    let (token, _) = app.user("ada@example.com").await;
    let b = crate::helpers::browser();
    let signed_in = crate::helpers::sign_in_form(&app, &b, "ada@example.com").await;
    assert_eq!(signed_in.status(), reqwest::StatusCode::SEE_OTHER);
    let id = application(&app, &token, "Acme").await;
    let draft = ask(&app, &token, &id, json!({"kind": "cover_letter"})).await;
    assert_eq!(finished(&app, &token, &draft).await["status"], "succeeded");
    let view = || async {
        let res = b
            .get(format!("{}/applications/{id}", app.address))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), reqwest::StatusCode::OK);
        res.text().await.unwrap()
    };
    let delete_form = format!("/drafts/{draft}/delete");
    // Twice: the second view is the remembered page.
    assert!(view().await.contains(&delete_form));
    assert!(view().await.contains(&delete_form));
    let res = app
        .delete(&token, &format!("/api/v1/generations/{draft}"))
        .await;
    assert_eq!(res.status, 204, "{}", res.text);
    let page = view().await;
    assert!(
        !page.contains(&delete_form),
        "the deleted draft is still shown"
    );
    assert!(page.contains("Acme"));
}
