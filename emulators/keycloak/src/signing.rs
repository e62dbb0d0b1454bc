//! The realm signing key and JWTs: one RSA-2048 key per emulator, generated at start
//! (aws-lc-rs), published as a JWKS entry (`kid`, `n`, `e`), used to sign RS256 access
//! tokens and to check the tokens presented to the admin API (signature, then claims).

use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::rsa::KeySize;
use aws_lc_rs::signature::{self, KeyPair as _, RsaKeyPair, UnparsedPublicKey};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Map, Value, json};

/// The largest token accepted for checking (a bound on untrusted input).
pub(crate) const MAX_TOKEN_BYTES: usize = 16 * 1024;

/// An RSA key that signs and checks RS256 JWTs.
pub(crate) struct SigningKey {
    pair: RsaKeyPair,
    kid: String,
    rng: SystemRandom,
}

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SigningKey({})", self.kid)
    }
}

impl SigningKey {
    /// A fresh RSA-2048 key.
    pub(crate) fn generate() -> Self {
        // Generation only fails when the system has no randomness: nothing to recover.
        #[allow(clippy::expect_used)]
        let pair = RsaKeyPair::generate(KeySize::Rsa2048).expect("RSA key generation");
        let kid = URL_SAFE_NO_PAD.encode(&uuid::Uuid::new_v4().as_bytes()[..12]);
        SigningKey {
            pair,
            kid,
            rng: SystemRandom::new(),
        }
    }

    /// The public key as a JWK (RFC 7517) for `…/protocol/openid-connect/certs`.
    pub(crate) fn jwk(&self) -> Value {
        let public = self.pair.public_key();
        json!({
            "kid": self.kid,
            "kty": "RSA",
            "alg": "RS256",
            "use": "sig",
            "n": URL_SAFE_NO_PAD.encode(public.modulus().big_endian_without_leading_zero()),
            "e": URL_SAFE_NO_PAD.encode(public.exponent().big_endian_without_leading_zero()),
        })
    }

    /// `claims` signed as a compact RS256 JWS.
    pub(crate) fn sign(&self, claims: &Value) -> String {
        let header = json!({ "alg": "RS256", "typ": "JWT", "kid": self.kid });
        let input = format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(header.to_string()),
            URL_SAFE_NO_PAD.encode(claims.to_string())
        );
        let mut sig = vec![0; self.pair.public_modulus_len()];
        // Signing with our own valid key into a buffer of the modulus length cannot fail.
        #[allow(clippy::expect_used)]
        self.pair
            .sign(
                &signature::RSA_PKCS1_SHA256,
                &self.rng,
                input.as_bytes(),
                &mut sig,
            )
            .expect("RSA signature");
        format!("{input}.{}", URL_SAFE_NO_PAD.encode(sig))
    }

    /// The claims of `token` when it is an RS256 JWT signed by this key; `None` otherwise
    /// (malformed, another algorithm or key, bad signature, oversized).
    pub(crate) fn verify(&self, token: &str) -> Option<Map<String, Value>> {
        if token.len() > MAX_TOKEN_BYTES {
            return None;
        }
        let mut parts = token.split('.');
        let (h, p, s) = (parts.next()?, parts.next()?, parts.next()?);
        if parts.next().is_some() {
            return None;
        }
        let header: Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(h).ok()?).ok()?;
        if header["alg"] != "RS256" || header["kid"] != self.kid.as_str() {
            return None;
        }
        let sig = URL_SAFE_NO_PAD.decode(s).ok()?;
        let public = UnparsedPublicKey::new(
            &signature::RSA_PKCS1_2048_8192_SHA256,
            self.pair.public_key().as_ref(),
        );
        public.verify(format!("{h}.{p}").as_bytes(), &sig).ok()?;
        match serde_json::from_slice(&URL_SAFE_NO_PAD.decode(p).ok()?).ok()? {
            Value::Object(claims) => Some(claims),
            _ => None,
        }
    }
}
