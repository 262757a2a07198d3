//! The classifier's rules as data: phrase tables per kind (English, with
//! some German and French), the signals that say a mail is not about an
//! application, and the senders worth knowing. Phrases use the pattern
//! language of [`super::words`]: `*` a gap of up to three words, `a|b` one of
//! these words, `stem~` a word starting with the stem.
//!
//! A word of a pattern is one word of text: `we have|ve received` reads
//! "we have received" and "we've received"; a `*` may stand for no word, so
//! a pattern is never repeated without its gap.
//!
//! A phrase here must say the act itself in the employer's voice ("we have
//! decided to move forward with other candidates", "we'd like to invite you
//! to an interview"): a word like "interview" or "offer" alone is never
//! enough, because a friend's mail and a newsletter use it too.

/// Applicant tracking systems: mail from these domains (or their
/// subdomains) is sent for an employer, who is named in the mail.
pub const ATS_DOMAINS: &[&str] = &[
    "greenhouse.io",
    "greenhouse-mail.io",
    "lever.co",
    "myworkdayjobs.com",
    "myworkday.com",
    "ashbyhq.com",
    "smartrecruiters.com",
    "workable.com",
    "workablemail.com",
    "icims.com",
    "jobvite.com",
    "teamtailor.com",
    "teamtailor-mail.com",
    "recruitee.com",
    "personio.de",
    "personio.com",
    "bamboohr.com",
    "breezy.hr",
    "applytojob.com",
    "successfactors.com",
    "successfactors.eu",
    "taleo.net",
    "pinpointhq.com",
    "softgarden.io",
    "join.com",
];

/// Job boards and professional networks: their mail is mostly alerts and
/// newsletters, but a confirmation ("your application was sent to Acme")
/// or a recruiter's message comes through them too. Like an ATS, the
/// employer is named in the mail.
pub const JOB_BOARD_DOMAINS: &[&str] = &[
    "linkedin.com",
    "indeed.com",
    "indeedemail.com",
    "glassdoor.com",
    "ziprecruiter.com",
    "monster.com",
    "stepstone.de",
    "stepstone.com",
    "xing.com",
    "dice.com",
    "wellfound.com",
    "angel.co",
    "otta.com",
    "welcometothejungle.com",
    "hired.com",
    "builtin.com",
    "simplyhired.com",
    "careerbuilder.com",
    "jobs.ch",
    "totaljobs.com",
    "reed.co.uk",
];

/// Personal mail providers: a mail from one is a person writing, usually
/// not an employer (a friend's mail about their interview).
pub const FREE_MAIL_DOMAINS: &[&str] = &[
    "gmail.com",
    "googlemail.com",
    "yahoo.com",
    "yahoo.co.uk",
    "yahoo.fr",
    "yahoo.de",
    "ymail.com",
    "outlook.com",
    "hotmail.com",
    "hotmail.co.uk",
    "hotmail.fr",
    "live.com",
    "msn.com",
    "icloud.com",
    "me.com",
    "mac.com",
    "aol.com",
    "proton.me",
    "protonmail.com",
    "gmx.de",
    "gmx.net",
    "gmx.com",
    "web.de",
    "t-online.de",
    "mail.com",
    "yandex.com",
    "yandex.ru",
    "fastmail.com",
    "orange.fr",
    "free.fr",
    "laposte.net",
    "zohomail.com",
];

/// Local parts of automated senders: a recruiter's outreach is written by a
/// person, never by one of these.
pub const AUTOMATED_LOCAL_PARTS: &[&str] = &[
    "noreply",
    "no-reply",
    "no_reply",
    "donotreply",
    "do-not-reply",
    "do_not_reply",
    "notifications",
    "notification",
    "notify",
    "alerts",
    "alert",
    "jobalerts",
    "jobs",
    "careers",
    "jobalerts-noreply",
    "jobs-noreply",
    "jobs-listings",
    "newsletter",
    "newsletters",
    "news",
    "marketing",
    "mailer",
    "updates",
    "digest",
    "info",
    "hello",
    "messages-noreply",
    "bounce",
    "support",
    "billing",
    "receipts",
    "orders",
];

/// Local parts an ATS vendor writes its own marketing from; the vendor's
/// mail to candidates comes from `no-reply@` or the employer's name.
pub const VENDOR_LOCAL_PARTS: &[&str] = &[
    "marketing",
    "news",
    "newsletter",
    "events",
    "event",
    "webinars",
    "webinar",
    "hello",
    "info",
    "team",
    "updates",
    "product",
    "community",
    "customers",
    "sales",
    "learn",
    "academy",
];

/// Second-level public suffixes under which the registrable name is one
/// label further left (`mail.acme.co.uk` → `acme`).
pub const SECOND_LEVEL_SUFFIXES: &[&str] = &[
    "co.uk", "org.uk", "ac.uk", "com.au", "net.au", "co.nz", "co.jp", "com.br", "co.in", "com.sg",
    "co.za", "com.mx", "com.tr", "co.il",
];

/// Words around a company's name in a sender domain that are not the name
/// (`getacme.com`, `acmehq.com`, `acme-careers.com`).
pub const DOMAIN_AFFIXES: &[&str] = &[
    "get",
    "join",
    "try",
    "use",
    "go",
    "hq",
    "inc",
    "jobs",
    "careers",
    "career",
    "mail",
    "app",
    "team",
    "labs",
    "talent",
    "recruiting",
    "hr",
    "group",
    "corp",
    "global",
];

/// Words after an employer's name in a sender's display name ("Acme
/// Recruiting", "Acme Talent Team", "Acme via Greenhouse").
pub const SENDER_NAME_SUFFIXES: &[&str] = &[
    "recruiting team",
    "recruitment team",
    "talent acquisition team",
    "talent acquisition",
    "talent team",
    "hiring team",
    "people team",
    "careers team",
    "recruiting",
    "recruitment",
    "careers",
    "career",
    "jobs",
    "talent",
    "hiring",
    "hr",
    "team",
    "people",
];

/// Legal forms that are not part of a company's name.
pub const LEGAL_FORMS: &[&str] = &[
    "inc",
    "llc",
    "ltd",
    "limited",
    "gmbh",
    "ag",
    "sa",
    "sas",
    "sarl",
    "bv",
    "nv",
    "plc",
    "corp",
    "corporation",
    "co",
    "company",
    "se",
    "oy",
    "ab",
    "as",
    "pty",
    "kg",
    "llp",
    "lp",
    "srl",
    "spa",
];

/// Display names and words that name a platform, not an employer.
pub const PLATFORM_NAMES: &[&str] = &[
    "greenhouse",
    "lever",
    "workday",
    "ashby",
    "smartrecruiters",
    "workable",
    "icims",
    "jobvite",
    "teamtailor",
    "recruitee",
    "personio",
    "linkedin",
    "indeed",
    "glassdoor",
    "ziprecruiter",
    "no reply",
    "noreply",
    "notifications",
    "recruiting",
    "recruiting team",
    "hiring team",
    "talent team",
    "careers",
];

/// A mail is about a job only when it says so in one of these words (or
/// comes from an ATS or the employer's own domain): "your application has
/// been received" from a bank is about a loan.
pub const JOB_CONTEXT: &[&str] = &[
    "position",
    "role",
    "job~",
    "opening",
    "vacancy",
    "candidate~",
    "candidacy",
    "hiring",
    "recruit~",
    "interview~",
    "resume",
    "résumé",
    "cv",
    "career~",
    "talent",
    "employment",
    "engineer~",
    "developer~",
    "designer~",
    "analyst~",
    "scientist~",
    "opportunit~",
    "bewerb~",
    "stelle",
    "stellenangebot",
    "vorstellungsgespräch",
    "candidature",
    "poste",
    "emploi",
    "recrutement",
    "entretien",
];

/// Words that put the reader in the candidate's place: an invitation or a
/// receipt about "your application" or "the Data Engineer role". A mail
/// matched to no application (or only by a company named in passing) must
/// have one; an employer's mail to its own staff about interviews has none.
pub const CANDIDACY: &[&str] = &[
    "your application|applications|candidacy|candidature|resume|cv",
    "you applied",
    "you recently applied",
    "for applying",
    "applying for|to",
    "your interest in",
    "the * role|position|opening|vacancy",
    "this role|position|opening|vacancy",
    "for the role|position",
    "ihre|deine bewerbung",
    "bewerbung als",
    "votre candidature",
    "le poste",
];

/// A sentence with one of these words states a condition, not a fact ("if
/// your profile matches, we will invite you to an interview"): nothing in
/// it counts as evidence.
pub const CONDITIONAL: &[&str] = &[
    "if",
    "should we",
    "should your",
    "should you be",
    "once we",
    "in case",
    "in the event",
    "whether",
    "wenn",
    "falls",
    "sollten",
    "sofern",
    "si",
    "lorsque",
    "unless",
];

/// Received, thank you: the application reached the employer.
pub const APPLIED: &[&str] = &[
    "thank you for applying",
    "thanks for applying",
    "thank you for your application",
    "thanks for your application",
    "thank you for submitting your application",
    "thanks for submitting your application",
    "thank you for * application to|for",
    "thank you for your interest * we have|ve received your",
    "we have|ve received your application",
    "we received your application",
    "we have * received your application",
    "your application has|was been|successfully received|submitted|sent",
    "your application has|was successfully been submitted|received|sent",
    "your application was sent to",
    "your application to|for * has|was|is been received|submitted|sent",
    "your application to|for * has|was|is received|submitted|sent",
    "you applied to|for",
    "we confirm receipt of your application",
    "confirm that we have received your application",
    "successfully submitted your application",
    "you have successfully applied",
    "you've successfully applied",
    "application received",
    "application submitted",
    "application confirmation",
    "confirmation of your application",
    "we will|ll review your application",
    "our team will review your application",
    "is currently reviewing your application",
    "are currently reviewing your application",
    "your application is under review",
    "your application is being reviewed",
    // German
    "vielen dank für ihre|deine bewerbung",
    "danke für ihre|deine bewerbung",
    "wir haben ihre|deine bewerbung erhalten",
    "ihre|deine bewerbung ist bei uns eingegangen",
    "ihre|deine bewerbung * eingegangen",
    "eingangsbestätigung",
    "bewerbung eingegangen",
    // French
    "merci pour votre candidature",
    "merci de votre candidature",
    "merci d'avoir postulé",
    "nous avons bien reçu votre candidature",
    "votre candidature a bien été reçue|envoyée|transmise",
    "accusé de réception de votre candidature",
];

/// Not this time: the employer will not go on with the application.
pub const REJECTION: &[&str] = &[
    "decided to move|go|proceed forward with other|another candidate~|applicant~",
    "move|moving|go|going forward with other|another candidate~|applicant~",
    "proceed|proceeding with other|another candidate~|applicant~",
    "pursue|pursuing other|another candidate~|applicant~",
    "decided to pursue|proceed * other|another",
    "decided not to move|go forward",
    "decided not to proceed",
    "decided not to progress",
    "not to move|go forward with your",
    "not be moving|going forward",
    "won't be moving|going forward",
    "will not move|go forward",
    "not moving forward with your",
    "unable to move forward",
    "not able to move forward",
    "cannot move forward",
    "not be progressing",
    "won't be progressing",
    "not progress your application|candidacy",
    "not progressing your application|candidacy",
    "will not be proceeding",
    "won't be proceeding",
    "not be proceeding with your",
    "not proceed with your application|candidacy",
    "you were not selected",
    "you have not been selected",
    "you've not been selected",
    "were not selected for",
    "have not been selected for",
    "not been successful",
    "were unsuccessful",
    "been unsuccessful",
    "unsuccessful on this occasion",
    "position|role|vacancy|job has|have been filled",
    "position|role|vacancy is now filled",
    "no longer considering your",
    "no longer under consideration",
    "no longer being considered",
    "other candidates whose",
    "candidates whose * more closely",
    "more closely match|matches|matched|aligns|aligned with",
    "not a fit at this time",
    "not the right fit",
    "isn't the right fit",
    "not the best fit",
    "not a match for",
    "not be a match",
    "regret to inform you",
    "we regret that",
    "regret to let you know",
    "unable to offer you",
    "cannot offer you",
    "not in a position to offer you",
    "not be able to offer you",
    "not able to offer you",
    "unable to invite you",
    "not able to invite you",
    "not be inviting you",
    "different direction",
    "not successful",
    "unsuccessful",
    "decided to go with another",
    "decided to go with a different",
    "chosen another candidate",
    "chose another candidate",
    "selected another candidate",
    "hired another candidate",
    "offered the position|role to another",
    "unable to make you an|a * offer",
    "not * able to make you an|a * offer",
    "not moving forward with your candidacy",
    "will not be taking your application further",
    "not be taking your application further",
    "not take your application further",
    // German
    "absage",
    "leider mitteilen",
    "leider * nicht berücksichtigen",
    "leider * nicht weiter berücksichtigen",
    "nicht in die engere wahl",
    "für einen anderen kandidaten|bewerber entschieden",
    "für eine andere kandidatin|bewerberin entschieden",
    "anderen kandidaten|bewerbern den vorzug",
    "leider keine positive rückmeldung",
    // French
    "regret de vous informer|annoncer",
    "ne pas donner suite",
    "ne pouvons pas donner suite",
    "pas donner une suite favorable",
    "pas été retenue",
    "pas retenu votre candidature",
    "pas pu retenir votre candidature",
    "ne correspond pas * profil",
];

/// Come and talk to us: an interview, a call or an assessment. Each is
/// also read with the hedges of the frames below ("shortlisted candidates
/// will be invited to an interview" invites no one yet).
pub const INTERVIEW_INVITATION: &[&str] = &[
    "invite you to|for a|an * interview|call|conversation|chat|meeting|screen|screening|assessment|onsite",
    "invite you to interview",
    "invite you to * next round|stage|step",
    "invite you for an interview",
    "invited to * interview",
    "invitation to * interview",
    "interview invitation",
    "invitation * interview",
    "interview invite",
    "interview request",
    "interview confirmation",
    "like to schedule a|an|some * interview|call|conversation|chat|time",
    "like to schedule your|the * interview|call|conversation|chat",
    "like to set up a|an * interview|call|conversation|chat|time",
    "like to arrange a|an * interview|call|conversation|chat",
    "love to schedule|arrange",
    "love to set up",
    "like to move forward with your application|candidacy",
    "like to move you forward",
    "move you forward to|in",
    "move you to the next round|stage|step",
    "advance you to the next",
    "advance to the next round|stage",
    "moving to the next round|stage",
    "selected for an|a * interview",
    "shortlisted for",
    "next step * is a|an * interview|call|conversation|chat|screen|assessment",
    "next step * would be a|an * interview|call|conversation|chat|screen",
    "next step * will be a|an * interview|call|conversation|chat|screen",
    "availability for a|an|the * interview|call|chat|conversation|screen|meeting",
    "please select|pick|choose|book a time",
    "use the link below to schedule",
    "use this link to schedule",
    "schedule your interview",
    "schedule a time * using",
    "your interview * is scheduled|confirmed|booked",
    "your interview * has been scheduled|confirmed|booked",
    "interview * has been scheduled|confirmed",
    "interview is scheduled|confirmed",
    "scheduled your interview",
    "confirm your interview",
    "invite you to complete|take",
    "complete the|our|this * assessment|challenge|assignment",
    "complete a|an * assessment|challenge|assignment",
    // German
    "einladung zum|zu * gespräch|interview|vorstellungsgespräch|kennenlernen",
    "zu einem * gespräch|interview|vorstellungsgespräch|kennenlernen einladen",
    "möchten sie|dich * einladen",
    "persönlich kennenlernen",
    "terminvorschlag",
    // French
    "vous inviter à|a un * entretien",
    "convocation à|a un entretien",
    "invitation à|a un entretien",
    "planifier un entretien",
    "fixer un entretien",
    "vous rencontrer",
];

/// We want you: an offer of employment.
pub const OFFER: &[&str] = &[
    "pleased|happy|delighted|excited|thrilled|glad to offer you",
    "pleased|happy|delighted|excited|thrilled|glad to extend * offer",
    "like to offer you",
    "like to extend * offer",
    "extend you an|a * offer",
    "extend an|a * offer to you",
    "offer you the position|role|job",
    "offer of employment",
    "employment offer",
    "your offer letter",
    "offer letter is attached",
    "attached * your offer",
    "attached * offer letter",
    "formal offer",
    "written offer",
    "your offer package",
    "review and sign your offer",
    "move|moving forward with an|the|your offer",
    "make|making you an offer",
    "offer letter",
    "an offer for the",
    "sign your offer",
    "accept the offer by",
    // German
    "freuen uns * ihnen * anzubieten",
    "freuen uns * dir * anzubieten",
    "vertragsangebot",
    "zusage für die stelle",
    "arbeitsvertrag * anbei",
    // French
    "proposition d'embauche",
    "promesse d'embauche",
    "plaisir de vous proposer le poste",
    "offre d'embauche",
];

/// A recruiter writing to this person: about their profile, or about
/// themselves. An outreach needs one of these (a mass mailing has none).
pub const RECRUITER_PERSONAL: &[&str] = &[
    "came across your profile|background|resume|cv|experience|work",
    "came across your linkedin",
    "found your profile",
    "saw your profile",
    "your profile caught my|our eye|attention",
    "your background caught my|our eye|attention",
    "your experience caught my|our eye|attention",
    "impressed by your background|profile|experience",
    "i'm a|an * recruiter",
    "i am a|an * recruiter",
    "recruiter at|with",
    "talent partner at|with",
    "sourcer at|with",
    "i'm reaching out",
    "i am reaching out",
    "wanted to reach out",
    "i'm hiring for",
    "i am hiring for",
    "i'm recruiting for",
    "i am recruiting for",
    "on behalf of my|our client",
    "my client is",
    // German
    "bin auf ihr|dein profil gestoßen",
    "ihr|dein profil hat mich",
    // French
    "j'ai découvert votre profil",
    "votre profil a retenu mon attention",
];

/// A role offered to someone who has not applied for it. Outreach needs two
/// phrases of this table or [`RECRUITER_PERSONAL`], one of them personal,
/// from a person (see `classify`).
pub const RECRUITER_OUTREACH: &[&str] = &[
    "reaching out because|regarding|about",
    "would you be open to",
    "are you open to",
    "open to new opportunities",
    "open to exploring",
    "interested in exploring",
    "would you be interested in",
    "would love to tell you more",
    "love to tell you more",
    "quick call to discuss",
    "exciting opportunity",
    "opportunity that might interest you",
    "you'd be a great fit",
    "you would be a great fit",
    "could be a great fit",
    "might be a great fit",
    "our client is",
    "currently hiring for",
    "currently recruiting for",
    // German
    "spannende position|stelle|herausforderung",
    "offen für neue herausforderungen",
    // French
    "opportunité qui pourrait vous intéresser",
];

/// Frames (see [`super::words::Frame`]): the parts of a statement found in
/// one sentence in order, for the many ways one thing is said. A part
/// starting with `!` must not be in the sentence.
///
/// Words that hedge an invitation into a possibility ("we will contact you
/// to schedule an interview", "you may be invited"): not an invitation yet.
pub const HEDGE_WILL: &str = "!will|ll|once|shortlisted";
/// "we may contact you", "you might be invited" (not "could you share…").
pub const HEDGE_MAY: &str = "!we|you|i|they|recruiter|team may|might|could";

/// Received: the application reached the employer, however it is said.
pub const APPLIED_FRAMES: &[&[&str]] = &[
    &[
        "receiv~|got|receipt|submitted|sent|confirm~",
        "your application|candidacy|cv|resume|candidature",
    ],
    &[
        "your application|candidacy|candidature",
        "receiv~|submitted|sent|complete",
    ],
    &["danke|dank", "bewerbung"],
    &["bewerbung", "erhalten|eingegangen|eingang"],
    &["candidature", "reçu~|recu~|envoy~|transmis~|enregistr~"],
];

/// Not this time, however it is said.
pub const REJECTION_FRAMES: &[&[&str]] = &[
    &["you|your|status", "not selected"],
    &[
        "not|unable|cannot|t|never",
        "move|moving|moved|go|going|proceed~|progress~|continue|continuing|advance~|pursue|pursuing|take|taking|consider|considering|invite|inviting",
        "forward|ahead|further|round|stage|candidacy|application|candidature|process",
        "!if|unless|whether",
    ],
    &["no longer", "consider~|moving|move|pursu~|proceed~|process~|available|hiring|accepting"],
    &["position|role|vacancy|job|opening|requisition", "filled", "!until|will|rolling|once|quickly|soon"],
    &["filled", "position|role|vacancy|job|opening", "!until|will|rolling|once|quickly|soon"],
    &["decided|chosen|chose|opted|selected|hired|offered", "another|other|different * candidate~|applicant~|person|individual"],
    &["decided|chosen|chose|opted", "go|proceed|continue * with", "someone|somebody|candidates|applicants"],
    &["decided|chosen|chose|opted|decision", "focus|proceed|continue|move|prioriti~", "candidates|applicants|profiles"],
    &["closer|better|stronger", "match|fit|suited|aligned", "!your"],
    &["gegen", "bewerbung|kandidatur|sie|dich", "entschieden"],
    &["leider", "absage|zusage|berücksichtig~|weiterverfolg~"],
    &["leider", "anderen", "kandidat~|bewerber~"],
    &["leider", "nicht weiter"],
    &["leider", "keine positive"],
    &["ne|n", "pas|plus", "suite|retenu~|poursuivre"],
];

/// Come and talk to us, however it is said.
pub const INTERVIEW_INVITATION_FRAMES: &[&[&str]] = &[
    &[
        "share|send|provide|suggest|propose|give",
        "times|availability|slots",
        HEDGE_WILL,
        HEDGE_MAY,
    ],
    &[
        "invit~",
        "interview|interviews|call|chat|conversation|screen~|assessment|onsite|round|stage|challenge",
        HEDGE_WILL,
        HEDGE_MAY,
    ],
    &[
        "schedul~|arrange~|book|select|pick|choose|find",
        "interview|interviews|call|chat|conversation|screen~|time|times|slot~",
        HEDGE_WILL,
        HEDGE_MAY,
    ],
    &[
        "set up",
        "interview|interviews|call|chat|conversation|screen~|time",
        HEDGE_WILL,
        HEDGE_MAY,
    ],
    &[
        "available|availability",
        "interview|interviews|call|chat|conversation|screen~|talk|speak|meet",
        HEDGE_WILL,
        HEDGE_MAY,
    ],
    &[
        "advanc~|moved|move|moving|progress~|proceed~|invited|through",
        "next|final|second|third|following",
        "round|stage",
        HEDGE_WILL,
        HEDGE_MAY,
    ],
    &[
        "interview|interviews",
        "scheduled|confirmed|booked|rescheduled",
        HEDGE_WILL,
        HEDGE_MAY,
    ],
    &["schedul~|confirm~|book~", "your interview|interviews"],
];

/// We want you, however it is said.
pub const OFFER_FRAMES: &[&[&str]] = &[
    &[
        "your offer",
        "ready|attached|review|sign|accept|expires|deadline",
    ],
    &["offer letter", "attached|sign|review|ready"],
];

/// A recruiter about the person or themselves, however it is said.
pub const RECRUITER_PERSONAL_FRAMES: &[&[&str]] = &[
    &[
        "your experience|background|profile|work|skills|skillset",
        "stood|caught|impressed|match~|fit|relevant|align~|interesting|perfect",
    ],
    &[
        "i lead|run|head|manage|do",
        "recruiting|recruitment|talent|hiring",
    ],
    &[
        "i work|partner|partnered|support",
        "hiring|recruiting|recruitment|search",
    ],
    &[
        "love~|liked|enjoyed|impressed|admire~",
        "your work|experience|background|profile|github|talk|project~|post|blog",
    ],
    &[
        "saw|found|read|noticed",
        "your github|profile|work|talk|post|blog|project~|repo~",
    ],
];

/// A role offered, however it is said.
pub const RECRUITER_OUTREACH_FRAMES: &[&[&str]] =
    &[&["open|up", "to|for", "call|chat|conversation|coffee|talk"]];

/// Why a mail is not about an application, with the phrases that say so.
pub struct NotAboutAnApplication {
    pub reason: &'static str,
    /// Phrases that decide wherever they are.
    pub anywhere: &'static [&'static str],
    /// Phrases that decide only in the subject.
    pub in_subject: &'static [&'static str],
    /// Whether these phrases also appear in the footers of mail that is
    /// about an application (a confirmation with "jobs you may be interested
    /// in" below it): then a subject that states the news overrules them.
    pub footer: bool,
}

/// Mail of these kinds makes no suggestion whatever else it says, unless its
/// subject states the application news itself.
pub const NOT_ABOUT_AN_APPLICATION: &[NotAboutAnApplication] = &[
    NotAboutAnApplication {
        reason: "job alert",
        anywhere: &[
            "jobs you may|might be interested in",
            "jobs you might like",
            "recommended jobs",
            "jobs recommended for you",
            "new jobs for you",
            "new jobs matching",
            "jobs matching your",
            "jobs that match your",
            "jobs based on your",
            "top job picks",
            "your job alert",
            "be an early applicant",
            "more jobs like this",
            "new jobs in",
        ],
        in_subject: &[
            "job alert",
            "jobs for you",
            "new jobs",
            "jobs you",
            "recommended for you",
            "recommended jobs",
            "is hiring",
            "are hiring",
            "jobs in",
            "jobs near",
            "new job",
            "new opportunities for you",
            "hot jobs",
            "latest jobs",
            "featured jobs",
            "jobs this week",
            "roles this week",
            "stellenangebote",
            "offres d'emploi",
        ],
        footer: true,
    },
    NotAboutAnApplication {
        reason: "newsletter or marketing",
        anywhere: &[
            "request|book|schedule|get a demo",
            "webinar",
            "free trial",
            "your hiring team",
            "your recruiting team",
            "hiring teams",
            "recruiting teams",
            "your candidates",
            "case study",
            "product update",
            "release notes",
            "register now",
            "save your seat",
            "reserve your spot",
            "view this email in your browser",
            "this week's issue",
            "in this issue",
            "read more on our blog",
            "read the full article",
            "interview questions for",
        ],
        in_subject: &["newsletter", "digest", "weekly", "webinar", "sale", "tips"],
        footer: true,
    },
    NotAboutAnApplication {
        reason: "receipt or order",
        anywhere: &[
            "your order",
            "order number",
            "order confirmation",
            "your receipt",
            "payment received",
            "invoice number",
            "amount paid",
            "amount charged",
            "thank you for your purchase",
            "thanks for your purchase",
            "shipping address",
        ],
        in_subject: &["receipt", "invoice", "order", "payment", "purchase"],
        footer: false,
    },
    NotAboutAnApplication {
        reason: "account or security",
        anywhere: &[
            "reset your password",
            "password reset",
            "reset the password",
            "verification code",
            "verify your email",
            "confirm your email",
            "activate your account",
            "security code",
            "one time password",
            "new sign in",
            "new login",
            "two factor",
        ],
        in_subject: &[
            "password",
            "verify",
            "verification",
            "security alert",
            "sign in",
            "login",
            "activate",
            "account created",
            "welcome to",
        ],
        footer: true,
    },
    NotAboutAnApplication {
        reason: "subscription",
        anywhere: &[
            "thank you for subscribing",
            "thanks for subscribing",
            "you have subscribed",
            "you've subscribed",
            "you are now subscribed",
            "joining our talent community|network|pool",
            "joined our talent community|network|pool",
            "welcome to our talent community|network|pool",
        ],
        in_subject: &["subscri~", "talent community", "talent network"],
        footer: true,
    },
    NotAboutAnApplication {
        reason: "survey or feedback request",
        anywhere: &[
            "take our|a|this short survey",
            "take the survey",
            "rate your experience",
            "tell us about your experience",
            "how did we do",
            "candidate experience survey",
        ],
        in_subject: &["survey", "feedback on your experience", "how was your"],
        footer: false,
    },
    NotAboutAnApplication {
        reason: "application seen, nothing decided",
        anywhere: &[
            "your application was viewed",
            "viewed your application",
            "your profile was viewed",
            "viewed your profile",
        ],
        in_subject: &["viewed", "profile views"],
        footer: false,
    },
    NotAboutAnApplication {
        reason: "practice interview",
        anywhere: &[
            "mock interview~",
            "practice interview~",
            "interview practice",
            "peer interview~",
        ],
        in_subject: &[],
        footer: false,
    },
    NotAboutAnApplication {
        reason: "the user as an interviewer",
        anywhere: &[
            "interview kit",
            "scorecard",
            "submit your feedback",
            "submit feedback",
            "leave your feedback",
            "interviewer training",
            "hiring panel",
            "scheduled to interview * for",
        ],
        in_subject: &["interview kit", "scorecard", "feedback due"],
        footer: false,
    },
    NotAboutAnApplication {
        reason: "a reference request",
        anywhere: &[
            "as a reference",
            "reference check",
            "reference request",
            "provide a reference",
        ],
        in_subject: &["reference"],
        footer: false,
    },
    NotAboutAnApplication {
        reason: "press or a podcast",
        anywhere: &[
            "podcast",
            "on the show",
            "on our show",
            "episode",
            "our readers",
            "press inquiry",
        ],
        in_subject: &["podcast", "press"],
        footer: false,
    },
    NotAboutAnApplication {
        reason: "a research study",
        anywhere: &[
            "user research",
            "research study",
            "research interview",
            "usability study",
            "usability test",
            "gift card",
            "participants",
        ],
        in_subject: &["research", "study"],
        footer: false,
    },
    NotAboutAnApplication {
        reason: "another kind of application",
        anywhere: &[
            "employment authorization",
            "immigration",
            "visa application",
            "loan application",
            "credit card application",
            "rental application",
            "admissions committee",
            "offer you admission",
            "admission to",
            "tuition",
            "scholarship",
            "grant application",
        ],
        in_subject: &["admission~", "visa", "loan", "rental"],
        footer: false,
    },
];

/// What kind of interview, by the words naming it.
pub const INTERVIEW_KINDS: &[(&str, &[&str])] = &[
    (
        "take_home",
        &[
            "take home",
            "home assignment",
            "coding challenge",
            "coding assessment",
            "online assessment",
            "technical assessment",
            "hackerrank",
            "codility",
            "coderpad assessment",
        ],
    ),
    (
        "onsite",
        &[
            "onsite",
            "on site",
            "in person interview",
            "visit our office",
            "at our office",
        ],
    ),
    (
        "final",
        &[
            "final round",
            "final interview",
            "final stage",
            "last round",
        ],
    ),
    (
        "technical",
        &[
            "technical interview",
            "technical round",
            "technical screen",
            "coding interview",
            "pair programming",
            "system design",
            "live coding",
        ],
    ),
    (
        "behavioral",
        &[
            "behavioral interview",
            "behavioural interview",
            "culture fit",
            "values interview",
        ],
    ),
    (
        "phone_screen",
        &[
            "phone screen",
            "phone interview",
            "phone call",
            "recruiter call",
            "recruiter screen",
            "intro call",
            "introductory call",
            "screening call",
            "initial call",
            "first call",
            "short call",
            "quick call",
            "15 minute call",
            "30 minute call",
            "telefoninterview",
            "entretien téléphonique",
        ],
    ),
];

/// Words that make a calendar event an interview (an event named "Dental
/// cleaning" is not one).
pub const INTERVIEW_EVENT: &[&str] = &[
    "interview|interviews",
    "phone screen",
    "screening",
    "recruiter call",
    "technical screen",
    "onsite",
    "vorstellungsgespräch",
    "bewerbungsgespräch",
    "entretien",
];

/// Meeting services whose links are proposed with an interview: a host
/// (or a host ending with `.` + it) and the path a meeting link starts with.
pub const MEETING_LINKS: &[(&str, &[&str])] = &[
    ("zoom.us", &["/j/", "/my/", "/w/", "/s/"]),
    ("zoom.com", &["/j/", "/my/"]),
    ("meet.google.com", &["/"]),
    ("teams.microsoft.com", &["/l/meetup-join/", "/meet/"]),
    ("teams.live.com", &["/meet/"]),
    ("webex.com", &["/meet/", "/join/", "/wbxmjs/", "/webappng/"]),
];
