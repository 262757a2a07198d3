//! Who sent a mail: an ATS writing for an employer, a job board, a person's
//! free mailbox, or an organisation's own domain.

use super::links::is_within;
use super::rules::{
    ATS_DOMAINS, AUTOMATED_LOCAL_PARTS, FREE_MAIL_DOMAINS, JOB_BOARD_DOMAINS,
    SECOND_LEVEL_SUFFIXES, VENDOR_LOCAL_PARTS,
};

/// What kind of sender a mail's domain makes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SenderKind {
    /// An applicant tracking system writing for an employer.
    Ats,
    /// A job board or professional network.
    JobBoard,
    /// A personal mailbox at a free provider.
    FreeMail,
    /// An organisation's own domain (perhaps the employer's).
    Organisation,
    /// No usable address.
    Unknown,
}

/// A mail's sender, read from its address and display name.
#[derive(Debug, Clone)]
pub struct Sender {
    pub kind: SenderKind,
    /// The address's local part, lowercase.
    pub local: String,
    /// The address's domain, lowercase.
    pub domain: String,
    /// The display name as written.
    pub name: String,
}

impl Sender {
    pub fn read(address: &str, name: &str) -> Sender {
        let address = address.trim().trim_matches(['<', '>']).to_ascii_lowercase();
        let (local, domain) = match address.rsplit_once('@') {
            Some((l, d)) => (l.to_owned(), d.trim_end_matches('.').to_owned()),
            None => (String::new(), String::new()),
        };
        let within = |list: &[&str]| list.iter().any(|d| is_within(&domain, d));
        let kind = if domain.is_empty() || !domain.contains('.') {
            SenderKind::Unknown
        } else if within(ATS_DOMAINS) {
            SenderKind::Ats
        } else if within(JOB_BOARD_DOMAINS) {
            SenderKind::JobBoard
        } else if within(FREE_MAIL_DOMAINS) {
            SenderKind::FreeMail
        } else {
            SenderKind::Organisation
        };
        Sender {
            kind,
            local,
            domain,
            name: name.trim().to_owned(),
        }
    }

    /// Mail sent by a machine (`no-reply@`, `alerts@`…), not a person.
    pub fn is_automated(&self) -> bool {
        let local = self.local.split('+').next().unwrap_or_default();
        AUTOMATED_LOCAL_PARTS.contains(&local)
            || local.contains("noreply")
            || local.contains("no-reply")
            || local.contains("donotreply")
    }

    /// An ATS vendor writing about itself (`marketing@greenhouse.io`).
    pub fn is_vendor_marketing(&self) -> bool {
        self.kind == SenderKind::Ats && VENDOR_LOCAL_PARTS.contains(&self.local.as_str())
    }

    /// The name a domain is registered under: `acme` for `mail.acme.co.uk`.
    pub fn registrable_label(&self) -> Option<&str> {
        registrable_label(&self.domain)
    }

    /// The labels of the domain left of the ATS or job board's own domain
    /// (`acme` and `wd5` in `acme.wd5.myworkdayjobs.com`).
    pub fn platform_subdomains(&self) -> Vec<&str> {
        let platform = ATS_DOMAINS
            .iter()
            .chain(JOB_BOARD_DOMAINS)
            .find(|d| is_within(&self.domain, d));
        match platform {
            Some(p) => self
                .domain
                .strip_suffix(p)
                .unwrap_or_default()
                .split('.')
                .filter(|l| !l.is_empty())
                .collect(),
            None => Vec::new(),
        }
    }
}

/// The name a domain is registered under (`acme` for `jobs.acme.com` and
/// for `mail.acme.co.uk`).
pub fn registrable_label(domain: &str) -> Option<&str> {
    let labels: Vec<&str> = domain.split('.').filter(|l| !l.is_empty()).collect();
    let n = labels.len();
    if n < 2 {
        return None;
    }
    let last_two = format!("{}.{}", labels[n - 2], labels[n - 1]);
    if SECOND_LEVEL_SUFFIXES.contains(&last_two.as_str()) {
        (n >= 3).then(|| labels[n - 3])
    } else {
        Some(labels[n - 2])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ats_senders_are_recognised_with_their_subdomains() {
        for address in [
            "no-reply@greenhouse.io",
            "no-reply@us.greenhouse-mail.io",
            "no-reply@hire.lever.co",
            "acme@myworkday.com",
            "noreply@acme.wd5.myworkdayjobs.com",
            "no-reply@ashbyhq.com",
            "mail@smartrecruiters.com",
            "noreply@candidates.workablemail.workable.com",
            "acme@talent.icims.com",
        ] {
            assert_eq!(Sender::read(address, "").kind, SenderKind::Ats, "{address}");
        }
    }

    #[test]
    fn a_lookalike_of_an_ats_domain_is_an_organisation() {
        assert_eq!(
            Sender::read("jobs@greenhouse.io.example.com", "").kind,
            SenderKind::Organisation
        );
        assert_eq!(
            Sender::read("x@notlever.co", "").kind,
            SenderKind::Organisation
        );
    }

    #[test]
    fn boards_free_mail_and_organisations_are_told_apart() {
        assert_eq!(
            Sender::read("jobalerts-noreply@linkedin.com", "").kind,
            SenderKind::JobBoard
        );
        assert_eq!(Sender::read("sam@gmail.com", "").kind, SenderKind::FreeMail);
        assert_eq!(
            Sender::read("talent@careers.acme.com", "").kind,
            SenderKind::Organisation
        );
        assert_eq!(Sender::read("", "").kind, SenderKind::Unknown);
    }

    #[test]
    fn the_registrable_label_skips_subdomains_and_two_level_suffixes() {
        assert_eq!(registrable_label("jobs.acme.com"), Some("acme"));
        assert_eq!(registrable_label("mail.acme.co.uk"), Some("acme"));
        assert_eq!(registrable_label("co.uk"), None);
        assert_eq!(registrable_label("localhost"), None);
    }

    #[test]
    fn platform_subdomains_name_the_employer() {
        let s = Sender::read("noreply@acme.wd5.myworkdayjobs.com", "");
        assert_eq!(s.platform_subdomains(), vec!["acme", "wd5"]);
    }

    #[test]
    fn automated_and_vendor_senders_are_recognised() {
        assert!(Sender::read("no-reply@hire.lever.co", "").is_automated());
        assert!(Sender::read("jobalerts-noreply@linkedin.com", "").is_automated());
        assert!(!Sender::read("jane.doe@acme.com", "").is_automated());
        assert!(Sender::read("marketing@greenhouse.io", "").is_vendor_marketing());
        assert!(!Sender::read("no-reply@greenhouse.io", "").is_vendor_marketing());
        assert!(!Sender::read("marketing@acme.com", "").is_vendor_marketing());
    }
}
