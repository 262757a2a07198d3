//! Classification rules one at a time, on small hand-made mails. The
//! corpus of whole messages is tested in `crate::mail` (it needs parsing).

use time::macros::datetime;

use super::*;

fn acme() -> Candidate {
    Candidate {
        id: Uuid::from_u128(1),
        company: "Acme".to_owned(),
        title: "Senior Backend Engineer".to_owned(),
        url: Some("https://boards.greenhouse.io/acme/jobs/4012".to_owned()),
        status: Status::Applied,
    }
}

fn mail(from: &str, name: &str, subject: &str, text: &str) -> Mail {
    Mail {
        from_address: from.to_owned(),
        from_name: name.to_owned(),
        subject: subject.to_owned(),
        text: text.to_owned(),
        date: Some(datetime!(2026-03-02 10:15 -08:00)),
        ..Mail::default()
    }
}

fn classify_one(m: &Mail) -> Classification {
    classify(m, &[acme()], "America/Los_Angeles")
}

#[test]
fn a_rejection_from_an_ats_is_matched_and_proposes_rejected() {
    let m = mail(
        "no-reply@us.greenhouse-mail.io",
        "Acme Recruiting",
        "Your application to Acme",
        "Hi Sam,\n\nThank you for applying. Unfortunately, we have decided to move forward with other candidates.\n",
    );
    let c = classify_one(&m);
    assert_eq!(c.kind, Kind::Rejection);
    assert_eq!(c.application_id, Some(Uuid::from_u128(1)));
    assert_eq!(c.proposed.status, Some(Status::Rejected));
    assert!(c.confidence > 0.5 && c.confidence < 0.9, "{}", c.confidence);
}

#[test]
fn a_promise_to_schedule_an_interview_if_it_fits_is_only_a_receipt() {
    let m = mail(
        "no-reply@us.greenhouse-mail.io",
        "Acme Recruiting",
        "Thank you for applying to Acme",
        "We have received your application. If your experience matches the role, we would like to schedule a call with you.",
    );
    let c = classify_one(&m);
    assert_eq!(c.kind, Kind::Applied);
    assert_eq!(c.proposed.status, Some(Status::Applied));
    assert!(c.confidence >= 0.9, "{}", c.confidence);
}

#[test]
fn unable_to_offer_is_a_rejection_not_an_offer() {
    let m = mail(
        "talent@acme.com",
        "Acme Talent",
        "Your application",
        "We are unable to offer you the position at this time.",
    );
    assert_eq!(classify_one(&m).kind, Kind::Rejection);
}

#[test]
fn a_friends_mail_about_an_interview_is_other() {
    let m = mail(
        "sam.friend@gmail.com",
        "Sam",
        "how did it go?",
        "Hey! How did your interview go? I had mine yesterday. Would you be open to lunch on Tuesday at 12:30 PM PST?",
    );
    let c = classify_one(&m);
    assert_eq!(c.kind, Kind::Other, "{}", c.reason);
}

#[test]
fn an_ats_vendors_marketing_is_other() {
    let m = mail(
        "marketing@greenhouse.io",
        "Greenhouse",
        "Hire faster in 2026",
        "We'd like to invite you to a demo. Schedule your interview process with less effort.",
    );
    assert_eq!(classify_one(&m).kind, Kind::Other);
}

#[test]
fn a_job_alert_is_other_even_when_it_names_a_tracked_company() {
    let m = mail(
        "jobalerts-noreply@linkedin.com",
        "LinkedIn Job Alerts",
        "Acme is hiring: Senior Backend Engineer",
        "Jobs you may be interested in. Senior Backend Engineer at Acme. Apply now.",
    );
    assert_eq!(classify_one(&m).kind, Kind::Other);
}

#[test]
fn a_confirmation_from_a_job_board_keeps_its_subject_over_the_alert_footer() {
    let m = mail(
        "jobs-noreply@linkedin.com",
        "LinkedIn",
        "Your application was sent to Acme",
        "Your application was sent to Acme. Senior Backend Engineer.\n\nJobs you may be interested in: Rust Developer at Initech",
    );
    let c = classify_one(&m);
    assert_eq!(c.kind, Kind::Applied, "{}", c.reason);
    assert_eq!(c.application_id, Some(Uuid::from_u128(1)));
    assert!(c.confidence < 0.9, "a notice-like body lowers confidence");
}

#[test]
fn a_calendar_invite_for_the_dentist_is_other() {
    let mut m = mail(
        "appointments@smiledental.com",
        "Smile Dental",
        "Invitation: Dental cleaning",
        "You have been invited to the following event.",
    );
    m.calendar.push(CalendarEvent {
        start: Some(datetime!(2026-03-10 17:00 UTC)),
        summary: Some("Dental cleaning".to_owned()),
        ..CalendarEvent::default()
    });
    assert_eq!(classify_one(&m).kind, Kind::Other);
}

#[test]
fn a_calendar_interview_from_an_ats_is_an_invitation_at_the_events_time() {
    let mut m = mail(
        "no-reply@ashbyhq.com",
        "Acme",
        "Invitation: Acme <> Sam",
        "Please find the calendar invitation attached.",
    );
    m.calendar.push(CalendarEvent {
        start: Some(datetime!(2026-03-10 22:00 UTC)),
        summary: Some("Technical interview with Acme".to_owned()),
        location: Some("https://acme.zoom.us/j/123456789".to_owned()),
        ..CalendarEvent::default()
    });
    let c = classify_one(&m);
    assert_eq!(c.kind, Kind::InterviewInvitation);
    assert_eq!(c.application_id, Some(Uuid::from_u128(1)));
    let interview = c.proposed.interview.unwrap_or_default();
    assert_eq!(
        interview.scheduled_at,
        Some(datetime!(2026-03-10 22:00 UTC))
    );
    assert_eq!(
        interview.meeting_url.as_deref(),
        Some("https://acme.zoom.us/j/123456789")
    );
    assert_eq!(interview.kind, Some(InterviewKind::Technical));
}

#[test]
fn an_invitation_in_text_proposes_its_stated_time_and_link() {
    let m = mail(
        "jane@acme.com",
        "Jane Doe",
        "Interview invitation",
        "We'd like to invite you to a video interview on Tuesday, March 10 at 2:00 PM PST.\nJoin: https://meet.google.com/abc-defg-hij",
    );
    let c = classify_one(&m);
    assert_eq!(c.kind, Kind::InterviewInvitation);
    let interview = c.proposed.interview.unwrap_or_default();
    assert_eq!(
        interview.scheduled_at,
        Some(datetime!(2026-03-10 22:00 UTC))
    );
    assert_eq!(
        interview.meeting_url.as_deref(),
        Some("https://meet.google.com/abc-defg-hij")
    );
    assert_eq!(c.proposed.status, Some(Status::Interviewing));
}

#[test]
fn outreach_from_a_no_reply_address_is_other() {
    let m = mail(
        "no-reply@talentbridge.io",
        "TalentBridge",
        "Exciting opportunity",
        "I came across your profile and would you be open to a new role? Exciting opportunity!",
    );
    assert_eq!(classify_one(&m).kind, Kind::Other);
}

#[test]
fn outreach_from_a_recruiter_proposes_the_role_as_a_new_application() {
    let m = mail(
        "lena@hooli.com",
        "Lena Park",
        "Staff Engineer at Hooli",
        "Hi Sam, I'm a technical recruiter at Hooli. I came across your profile and think you'd be a great fit for a Staff Engineer role on our platform team. Would you be open to a quick call?",
    );
    let c = classify_one(&m);
    assert_eq!(c.kind, Kind::RecruiterOutreach);
    assert_eq!(c.application_id, None);
    assert_eq!(
        c.proposed.new_application,
        Some(NewApplication {
            company: "Hooli".to_owned(),
            title: "Staff Engineer".to_owned()
        })
    );
    assert!(c.confidence < 0.8);
}

#[test]
fn quoted_text_in_a_reply_is_not_read() {
    let m = mail(
        "sam.friend@gmail.com",
        "Sam",
        "Re: news",
        "Ha, same here!\n\nOn Mon, Mar 2, 2026 at 9:00 AM Jane <jane@acme.com> wrote:\n> We have decided to move forward with other candidates for the role at Acme.\n",
    );
    assert_eq!(classify_one(&m).kind, Kind::Other);
}

#[test]
fn a_loan_application_receipt_is_not_about_a_job() {
    let m = mail(
        "service@quickloans.com",
        "QuickLoans",
        "We received your application",
        "Thank you for your application. We have received your application and will get back to you within two days.",
    );
    assert_eq!(classify_one(&m).kind, Kind::Other);
}

#[test]
fn an_unrecorded_confirmation_proposes_a_new_application() {
    let m = mail(
        "no-reply@hire.lever.co",
        "Vandelay Industries",
        "Thank you for applying to Vandelay Industries",
        "We have received your application for the Import Export Analyst position.",
    );
    let c = classify_one(&m);
    assert_eq!(c.kind, Kind::Applied);
    assert_eq!(c.application_id, None);
    assert_eq!(
        c.proposed.new_application,
        Some(NewApplication {
            company: "Vandelay Industries".to_owned(),
            title: "Import Export Analyst".to_owned()
        })
    );
}

#[test]
fn kinds_are_written_as_the_api_names_them() {
    for kind in Kind::ALL {
        assert_eq!(Kind::parse(kind.as_str()), Some(kind));
        assert_eq!(
            serde_json::to_value(kind).ok(),
            Some(serde_json::Value::String(kind.as_str().to_owned()))
        );
    }
}

proptest::proptest! {
    #[test]
    fn classify_never_panics_on_any_text(
        from in "\\PC{0,40}",
        name in "\\PC{0,30}",
        subject in "\\PC{0,80}",
        text in "\\PC{0,400}",
        url in "\\PC{0,60}",
    ) {
        let mut m = mail(&from, &name, &subject, &text);
        m.links.push(url.clone());
        m.calendar.push(CalendarEvent {
            summary: Some(subject.clone()),
            description: Some(text.clone()),
            url: Some(url),
            ..CalendarEvent::default()
        });
        let c = classify(&m, &[acme()], &name);
        proptest::prop_assert!((0.0..=1.0).contains(&c.confidence));
    }

    #[test]
    fn stated_time_never_panics_on_any_text(text in "[0-9A-Za-z:.,()/+\\- ]{0,120}") {
        let _ = when::stated_time(&text, Some(datetime!(2026-03-02 10:15 UTC)), "Europe/Berlin");
    }
}

#[test]
fn a_cancelled_appointment_in_german_is_not_a_rejection() {
    let m = mail(
        "julia.berger@initech.de",
        "Julia Berger",
        "Unser Termin am Mittwoch",
        "Hallo Herr Lee, leider müssen wir den Termin absagen. Können Sie uns Ihre Verfügbarkeit für ein Gespräch nächste Woche nennen? Es geht um Ihre Bewerbung als Site Reliability Engineer.",
    );
    assert_ne!(classify_one(&m).kind, Kind::Rejection);
}

#[test]
fn an_employers_promise_to_schedule_later_is_not_an_invitation() {
    for text in [
        "We have received your application. Our recruiters will contact you to schedule an interview if your profile matches.",
        "We have received your application. Shortlisted candidates will be invited to an interview.",
        "We have received your application. A recruiter may reach out to set up a call.",
    ] {
        let m = mail("talent@acme.com", "Acme Talent", "Your application", text);
        assert_eq!(classify_one(&m).kind, Kind::Applied, "{text}");
    }
}

#[test]
fn a_polite_request_for_times_is_an_invitation() {
    let m = mail(
        "talent@acme.com",
        "Acme Talent",
        "Next steps",
        "Thanks for applying to the Senior Backend Engineer role. Could you share a few times that work for a call?",
    );
    assert_eq!(classify_one(&m).kind, Kind::InterviewInvitation);
}

#[test]
fn a_huge_mail_is_read_only_up_to_its_limits() {
    let text = "We have decided to move forward with other candidates. ".repeat(200_000);
    let m = mail(
        "no-reply@us.greenhouse-mail.io",
        &"Acme ".repeat(10_000),
        &"Your application ".repeat(100_000),
        &text,
    );
    let started = std::time::Instant::now();
    let c = classify_one(&m);
    assert_eq!(c.kind, Kind::Rejection);
    assert!(started.elapsed().as_secs() < 20, "{:?}", started.elapsed());
}

#[test]
fn a_confirmation_of_the_users_own_withdrawal_is_not_a_rejection() {
    let m = mail(
        "no-reply@hire.lever.co",
        "Acme",
        "Your application to Acme has been withdrawn",
        "This is a confirmation that you have withdrawn your application for the Senior Backend Engineer position at Acme. You will no longer be considered for this role.",
    );
    let c = classify_one(&m);
    assert_eq!(c.kind, Kind::Other);
    assert_eq!(c.reason, "the user's own withdrawal");
}

#[test]
fn spanish_receipts_and_rejections_are_read() {
    let received = mail(
        "no-reply@teamtailor.com",
        "Acme",
        "Gracias por tu candidatura a Acme",
        "¡Gracias por tu interés en Acme! Hemos recibido tu candidatura para el puesto de Senior Backend Engineer.",
    );
    let c = classify_one(&received);
    assert_eq!(c.kind, Kind::Applied);
    assert_eq!(c.application_id, Some(Uuid::from_u128(1)));
    let reminder = mail(
        "no-reply@teamtailor.com",
        "Acme",
        "Tu candidatura en Acme",
        "No olvides continuar con tu candidatura para el puesto de Senior Backend Engineer.",
    );
    assert_eq!(classify_one(&reminder).kind, Kind::Other);
    for text in [
        "Lamentablemente, hemos decidido continuar con otros candidatos cuyo perfil se ajusta más.",
        "Sentimos comunicarte que no podemos continuar con tu candidatura.",
        "Te informamos de que no continuaremos con tu candidatura para el puesto de Senior Backend Engineer.",
        "Lamentablemente no has sido seleccionado para el puesto.",
    ] {
        let m = mail("no-reply@teamtailor.com", "Acme", "Tu candidatura en Acme", text);
        assert_eq!(classify_one(&m).kind, Kind::Rejection, "{text}");
    }
}

#[test]
fn a_spanish_invitation_for_shortlisted_candidates_is_not_one_yet() {
    let m = mail(
        "no-reply@teamtailor.com",
        "Acme",
        "Tu candidatura en Acme",
        "Hemos recibido tu candidatura para el puesto. Los candidatos preseleccionados serán invitados a una entrevista.",
    );
    assert_eq!(classify_one(&m).kind, Kind::Applied);
}

#[test]
fn a_german_rejection_for_other_candidates_without_leider_is_read() {
    let m = mail(
        "jobs@acme.jobs.personio.de",
        "Acme",
        "Deine Bewerbung bei Acme",
        "Vielen Dank für deine Bewerbung als Senior Backend Engineer. Nach sorgfältiger Prüfung haben wir uns entschieden, den Prozess mit anderen Kandidat:innen fortzusetzen.",
    );
    assert_eq!(classify_one(&m).kind, Kind::Rejection);
}

#[test]
fn a_take_home_exercise_and_a_portfolio_review_are_invitations() {
    for text in [
        "As the next step for the Senior Backend Engineer role, we'd like you to complete a short take-home exercise.",
        "The team loved your case study, and we'd like to invite you to a portfolio review for the Senior Backend Engineer role.",
    ] {
        let m = mail("jane.doe@acme.com", "Jane Doe", "Next steps", text);
        assert_eq!(classify_one(&m).kind, Kind::InterviewInvitation, "{text}");
    }
}

#[test]
fn a_title_shared_with_another_named_employer_is_not_a_match() {
    let m = mail(
        "no-reply@ats.rippling.com",
        "Endframe",
        "Application received: Senior Backend Engineer at Endframe",
        "Thanks for applying to Endframe! We've received your application for Senior Backend Engineer.",
    );
    let c = classify_one(&m);
    assert_eq!(c.kind, Kind::Applied);
    assert_eq!(c.application_id, None);
    let new = c.proposed.new_application.map(|n| n.company);
    assert_eq!(new.as_deref(), Some("Endframe"));
}

#[test]
fn schools_waitlists_and_fees_are_another_kind_of_application() {
    for (subject, text) in [
        (
            "Application received",
            "Thank you for applying to the Master's program in Computer Science. Your application has been received; candidates will be invited to interview.",
        ),
        (
            "Thanks for applying",
            "Thanks for applying to the Acme beta program! Your application has been received and you're on the waitlist.",
        ),
        (
            "Your application",
            "We have received your application and the application fee for the position of tenant at 4B.",
        ),
    ] {
        let m = mail("hello@acme.com", "Acme", subject, text);
        assert_eq!(classify_one(&m).kind, Kind::Other, "{text}");
    }
}

#[test]
fn a_designers_case_study_is_not_marketing_but_a_vendors_is() {
    let vendor = mail(
        "news@acme.com",
        "Acme",
        "How Initech hires",
        "Read the case study: how Initech hired 40 engineers for the Senior Backend Engineer role. We'd like to invite you to a call with our team.",
    );
    let c = classify_one(&vendor);
    assert_eq!(c.kind, Kind::Other);
    assert_eq!(c.reason, "newsletter or marketing");
}
