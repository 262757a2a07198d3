//! OpenID Connect sign-in: discovery, the authorization code flow with PKCE
//! (S256), state and nonce, and ID token verification (signature against the
//! provider's JWKS, issuer, audience, expiry, nonce). The provider's metadata
//! and keys are cached; a token naming an unknown key makes us fetch them
//! again once (key rotation).

use std::sync::Arc;

use openidconnect::core::{CoreAuthenticationFlow, CoreClient, CoreProviderMetadata};
use openidconnect::{
    AuthorizationCode, ClaimsVerificationError, ClientId, ClientSecret, CsrfToken, IssuerUrl,
    Nonce, PkceCodeChallenge, PkceCodeVerifier, RedirectUrl, Scope, SignatureVerificationError,
    TokenResponse,
};
use tokio::sync::RwLock;

use crate::config::OidcSettings;

/// Why a sign-in through the provider failed, in words for the user.
#[derive(Debug, thiserror::Error)]
pub enum OidcError {
    #[error("the identity provider cannot be reached right now; try again in a moment")]
    Unreachable(String),
    #[error("the identity provider refused the sign-in: {0}")]
    Refused(String),
    #[error("the identity provider's answer could not be verified")]
    Invalid(String),
}

/// What we learned about the person signing in.
#[derive(Debug, Clone)]
pub struct Identity {
    pub issuer: String,
    pub subject: String,
    pub email: Option<String>,
    pub email_verified: bool,
    pub name: Option<String>,
}

/// Where to send the browser, and what to remember until it comes back.
pub struct Authorization {
    pub url: url::Url,
    pub state: String,
    pub nonce: String,
    pub pkce_verifier: String,
}

pub struct OidcClient {
    settings: OidcSettings,
    redirect: RedirectUrl,
    http: reqwest::Client,
    metadata: RwLock<Option<Arc<CoreProviderMetadata>>>,
}

impl OidcClient {
    pub fn new(settings: OidcSettings, public_url: &url::Url) -> Result<Self, OidcError> {
        let redirect = public_url
            .join("/auth/oidc/callback")
            .map_err(|e| OidcError::Invalid(e.to_string()))?;
        let http = reqwest::Client::builder()
            // Following redirects would open us to SSRF.
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(std::time::Duration::from_secs(5))
            .timeout(std::time::Duration::from_secs(15))
            .build()
            .map_err(|e| OidcError::Invalid(e.to_string()))?;
        Ok(OidcClient {
            settings,
            redirect: RedirectUrl::from_url(redirect),
            http,
            metadata: RwLock::new(None),
        })
    }

    pub fn issuer(&self) -> &str {
        self.settings.issuer_url.as_str()
    }

    /// The provider's metadata and keys (discovered once, then cached).
    async fn metadata(&self, refresh: bool) -> Result<Arc<CoreProviderMetadata>, OidcError> {
        if !refresh {
            if let Some(m) = self.metadata.read().await.clone() {
                return Ok(m);
            }
        }
        let issuer = IssuerUrl::new(
            self.settings
                .issuer_url
                .as_str()
                .trim_end_matches('/')
                .to_owned(),
        )
        .map_err(|e| OidcError::Invalid(e.to_string()))?;
        let discovered = CoreProviderMetadata::discover_async(issuer, &self.http)
            .await
            .map_err(|e| OidcError::Unreachable(e.to_string()))?;
        let discovered = Arc::new(discovered);
        *self.metadata.write().await = Some(discovered.clone());
        Ok(discovered)
    }

    fn client(
        &self,
        metadata: &CoreProviderMetadata,
    ) -> CoreClient<
        openidconnect::EndpointSet,
        openidconnect::EndpointNotSet,
        openidconnect::EndpointNotSet,
        openidconnect::EndpointNotSet,
        openidconnect::EndpointMaybeSet,
        openidconnect::EndpointMaybeSet,
    > {
        CoreClient::from_provider_metadata(
            metadata.clone(),
            ClientId::new(self.settings.client_id.clone()),
            Some(ClientSecret::new(self.settings.client_secret.clone())),
        )
        .set_redirect_uri(self.redirect.clone())
    }

    /// Starts a sign-in: the provider URL with state, nonce and a PKCE challenge.
    pub async fn authorize(&self) -> Result<Authorization, OidcError> {
        let metadata = self.metadata(false).await?;
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let (url, state, nonce) = self
            .client(&metadata)
            .authorize_url(
                CoreAuthenticationFlow::AuthorizationCode,
                CsrfToken::new_random,
                Nonce::new_random,
            )
            .add_scope(Scope::new("email".into()))
            .add_scope(Scope::new("profile".into()))
            .set_pkce_challenge(challenge)
            .url();
        Ok(Authorization {
            url,
            state: state.secret().clone(),
            nonce: nonce.secret().clone(),
            pkce_verifier: verifier.secret().clone(),
        })
    }

    /// Completes a sign-in: exchanges the code and verifies the ID token.
    pub async fn complete(
        &self,
        code: String,
        pkce_verifier: String,
        nonce: String,
    ) -> Result<Identity, OidcError> {
        let metadata = self.metadata(false).await?;
        let client = self.client(&metadata);
        let response = client
            .exchange_code(AuthorizationCode::new(code))
            .map_err(|e| OidcError::Invalid(e.to_string()))?
            .set_pkce_verifier(PkceCodeVerifier::new(pkce_verifier))
            .request_async(&self.http)
            .await
            .map_err(|e| match e {
                openidconnect::RequestTokenError::ServerResponse(r) => {
                    OidcError::Refused(r.to_string())
                }
                other => OidcError::Unreachable(other.to_string()),
            })?;
        let id_token = response
            .id_token()
            .ok_or_else(|| OidcError::Invalid("no ID token in the answer".into()))?
            .clone();
        let nonce = Nonce::new(nonce);
        let verified = {
            let verifier = client.id_token_verifier();
            id_token.claims(&verifier, &nonce).cloned()
        };
        let claims = match verified {
            Ok(c) => c,
            Err(ClaimsVerificationError::SignatureVerification(
                SignatureVerificationError::NoMatchingKey,
            )) => {
                // The provider may have rotated its keys: fetch them once more.
                let fresh = self.metadata(true).await?;
                let client = self.client(&fresh);
                let verifier = client.id_token_verifier();
                id_token
                    .claims(&verifier, &nonce)
                    .map_err(|e| OidcError::Invalid(e.to_string()))?
                    .clone()
            }
            Err(e) => return Err(OidcError::Invalid(e.to_string())),
        };
        Ok(Identity {
            issuer: claims.issuer().as_str().to_owned(),
            subject: claims.subject().as_str().to_owned(),
            email: claims.email().map(|e| e.as_str().to_owned()),
            email_verified: claims.email_verified().unwrap_or(false),
            name: claims
                .name()
                .and_then(|n| n.get(None))
                .map(|n| n.as_str().to_owned()),
        })
    }
}
