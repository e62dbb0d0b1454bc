//! The Keycloak emulator over HTTP, as the provisioner and an OIDC resource server use it:
//! the admin's password grant, the users API with its 201/409/204/404 answers, 401 on
//! every kind of bad token, and realm users' RS256 tokens checked by an independent
//! verifier (jsonwebtoken) keyed from the published JWKS.

use std::time::Duration;

use keycloak_emulator::{ClientSpec, KeycloakConfig, KeycloakEmulator, RunningKeycloak};
use reqwest::{Client, StatusCode};
use serde_json::{Value, json};

struct Kc {
    kc: KeycloakEmulator,
    running: RunningKeycloak,
    http: Client,
}

impl Kc {
    async fn start() -> Self {
        let kc = KeycloakEmulator::new(KeycloakConfig::default());
        let running = kc.serve(0).await.expect("serve");
        let http = Client::builder()
            .timeout(Duration::from_secs(10))
            .build()
            .expect("client");
        Kc { kc, running, http }
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.running.base_url())
    }

    async fn token_answer(&self, realm: &str, form: &[(&str, &str)]) -> (StatusCode, Value) {
        let resp = self
            .http
            .post(self.url(&format!("/realms/{realm}/protocol/openid-connect/token")))
            .form(form)
            .send()
            .await
            .expect("token request");
        let status = resp.status();
        (status, resp.json().await.unwrap_or(Value::Null))
    }

    async fn admin_token(&self) -> String {
        let c = self.kc.config();
        let (status, body) = self
            .token_answer(
                "master",
                &[
                    ("client_id", "admin-cli"),
                    ("grant_type", "password"),
                    ("username", &c.admin_user),
                    ("password", &c.admin_password),
                ],
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        body["access_token"]
            .as_str()
            .expect("access_token")
            .to_string()
    }

    async fn user_token(
        &self,
        user: &str,
        password: &str,
        client: &str,
        scope: &str,
    ) -> (StatusCode, Value) {
        self.token_answer(
            "sso",
            &[
                ("client_id", client),
                ("grant_type", "password"),
                ("username", user),
                ("password", password),
                ("scope", scope),
            ],
        )
        .await
    }

    async fn admin(
        &self,
        method: reqwest::Method,
        path: &str,
        token: &str,
        body: Option<Value>,
    ) -> reqwest::Response {
        let mut rb = self.http.request(method, self.url(path)).bearer_auth(token);
        if let Some(b) = body {
            rb = rb.json(&b);
        }
        rb.send().await.expect("admin request")
    }
}

/// Checks `token` with jsonwebtoken against the realm's JWKS found through discovery.
async fn verify(
    kc: &Kc,
    token: &str,
    audience: &str,
) -> Result<Value, jsonwebtoken::errors::Error> {
    let discovery: Value = kc
        .http
        .get(kc.url("/realms/sso/.well-known/openid-configuration"))
        .send()
        .await
        .expect("discovery")
        .json()
        .await
        .expect("discovery json");
    let jwks: Value = kc
        .http
        .get(discovery["jwks_uri"].as_str().expect("jwks_uri"))
        .send()
        .await
        .expect("jwks")
        .json()
        .await
        .expect("jwks json");
    let jwk = &jwks["keys"][0];
    assert_eq!(jwk["kty"], "RSA");
    let header = jsonwebtoken::decode_header(token)?;
    assert_eq!(header.kid.as_deref(), jwk["kid"].as_str());
    let key = jsonwebtoken::DecodingKey::from_rsa_components(
        jwk["n"].as_str().expect("n"),
        jwk["e"].as_str().expect("e"),
    )?;
    let mut validation = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::RS256);
    validation.set_audience(&[audience]);
    validation.set_issuer(&[discovery["issuer"].as_str().expect("issuer")]);
    Ok(jsonwebtoken::decode::<Value>(token, &key, &validation)?.claims)
}

#[tokio::test]
async fn users_life_cycle_and_attendee_token() {
    let kc = Kc::start().await;
    let admin = kc.admin_token().await;
    let user = json!({"username": "User57", "enabled": true, "firstName": "User", "lastName": "57",
        "email": "user57@example.com", "emailVerified": true});
    let created = kc
        .admin(
            reqwest::Method::POST,
            "/admin/realms/sso/users",
            &admin,
            Some(user.clone()),
        )
        .await;
    assert_eq!(created.status(), StatusCode::CREATED);
    let location = created.headers()["location"]
        .to_str()
        .expect("location")
        .to_string();
    let id = location.rsplit('/').next().expect("id").to_string();
    assert!(
        location.starts_with(&kc.url("/admin/realms/sso/users/")),
        "{location}"
    );

    let again = kc
        .admin(
            reqwest::Method::POST,
            "/admin/realms/sso/users",
            &admin,
            Some(user),
        )
        .await;
    assert_eq!(again.status(), StatusCode::CONFLICT);
    let body: Value = again.json().await.expect("json");
    assert_eq!(body["errorMessage"], "User exists with same username");
    let same_email = json!({"username": "other", "email": "USER57@example.com"});
    let resp = kc
        .admin(
            reqwest::Method::POST,
            "/admin/realms/sso/users",
            &admin,
            Some(same_email),
        )
        .await;
    assert_eq!(resp.status(), StatusCode::CONFLICT);

    // exact lookup finds only user57, a substring lookup finds both user5 and user57
    kc.kc.seed_user("sso", "user5", "x").expect("seed");
    let list: Value = kc
        .admin(
            reqwest::Method::GET,
            "/admin/realms/sso/users?username=user57&exact=true",
            &admin,
            None,
        )
        .await
        .json()
        .await
        .expect("list");
    assert_eq!(list.as_array().map(Vec::len), Some(1), "{list}");
    assert_eq!(list[0]["id"], id.as_str());
    assert_eq!(list[0]["username"], "user57", "stored lower-case");
    let fuzzy: Value = kc
        .admin(
            reqwest::Method::GET,
            "/admin/realms/sso/users?username=user5",
            &admin,
            None,
        )
        .await
        .json()
        .await
        .expect("list");
    assert_eq!(fuzzy.as_array().map(Vec::len), Some(2), "{fuzzy}");
    let exact_none: Value = kc
        .admin(
            reqwest::Method::GET,
            "/admin/realms/sso/users?username=user&exact=true",
            &admin,
            None,
        )
        .await
        .json()
        .await
        .expect("list");
    assert_eq!(exact_none, json!([]));

    let one: Value = kc
        .admin(
            reqwest::Method::GET,
            &format!("/admin/realms/sso/users/{id}"),
            &admin,
            None,
        )
        .await
        .json()
        .await
        .expect("get");
    assert_eq!(one["email"], "user57@example.com");
    assert_eq!(one["enabled"], true);

    // no password yet: no token
    let (status, body) = kc.user_token("user57", "", "admin-cli", "").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    let reset = kc
        .admin(
            reqwest::Method::PUT,
            &format!("/admin/realms/sso/users/{id}/reset-password"),
            &admin,
            Some(json!({"type": "password", "temporary": false, "value": "s3cret-pass"})),
        )
        .await;
    assert_eq!(reset.status(), StatusCode::NO_CONTENT);
    let (status, body) = kc.user_token("user57", "wrong", "admin-cli", "").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(body["error"], "invalid_grant");
    let (status, body) = kc
        .user_token("user57", "s3cret-pass", "admin-cli", "openid")
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["token_type"], "Bearer");
    let claims = verify(
        &kc,
        body["access_token"].as_str().expect("token"),
        "account",
    )
    .await
    .expect("the attendee's token verifies against the JWKS");
    assert_eq!(claims["preferred_username"], "user57");
    assert_eq!(claims["sub"], id.as_str());
    assert_eq!(claims["azp"], "admin-cli");
    assert!(
        claims["scope"]
            .as_str()
            .expect("scope")
            .split(' ')
            .any(|s| s == "openid")
    );

    // userinfo with the attendee's token
    let info: Value = kc
        .http
        .get(kc.url("/realms/sso/protocol/openid-connect/userinfo"))
        .bearer_auth(body["access_token"].as_str().expect("token"))
        .send()
        .await
        .expect("userinfo")
        .json()
        .await
        .expect("json");
    assert_eq!(info["email"], "user57@example.com");

    let path = format!("/admin/realms/sso/users/{id}");
    assert_eq!(
        kc.admin(reqwest::Method::DELETE, &path, &admin, None)
            .await
            .status(),
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        kc.admin(reqwest::Method::DELETE, &path, &admin, None)
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        kc.admin(reqwest::Method::GET, &path, &admin, None)
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
    assert!(kc.kc.user("sso", "user57").is_none());
    let (status, _) = kc
        .user_token("user57", "s3cret-pass", "admin-cli", "")
        .await;
    assert_eq!(
        status,
        StatusCode::UNAUTHORIZED,
        "a deleted user gets no token"
    );
}

#[tokio::test]
async fn bad_missing_foreign_and_expired_tokens_are_refused() {
    let kc = Kc::start().await;
    let users = "/admin/realms/sso/users";
    let no_token = kc.http.get(kc.url(users)).send().await.expect("send");
    assert_eq!(no_token.status(), StatusCode::UNAUTHORIZED);
    for bad in ["garbage", "a.b.c", "eyJhbGciOiJub25lIn0.e30."] {
        let resp = kc.admin(reqwest::Method::GET, users, bad, None).await;
        assert_eq!(resp.status(), StatusCode::UNAUTHORIZED, "{bad}");
    }
    // the admin's password is checked
    let (status, body) = kc
        .token_answer(
            "master",
            &[
                ("client_id", "admin-cli"),
                ("grant_type", "password"),
                ("username", "admin"),
                ("password", "nope"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(body["error"], "invalid_grant");

    // a token signed by another Keycloak (another key) is refused
    let other = Kc::start().await;
    let foreign = other.admin_token().await;
    let resp = kc.admin(reqwest::Method::GET, users, &foreign, None).await;
    assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);

    // a tampered payload fails the signature
    let admin = kc.admin_token().await;
    let mut parts: Vec<String> = admin.split('.').map(str::to_string).collect();
    parts[1].insert(0, 'e');
    let resp = kc
        .admin(reqwest::Method::GET, users, &parts.join("."), None)
        .await;
    assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);

    // a plain realm user's valid token may not administer: 403
    kc.kc.seed_user("sso", "mallory", "pw").expect("seed");
    let (status, body) = kc.user_token("mallory", "pw", "admin-cli", "").await;
    assert_eq!(status, StatusCode::OK);
    let mallory = body["access_token"].as_str().expect("token").to_string();
    let resp = kc.admin(reqwest::Method::GET, users, &mallory, None).await;
    assert_eq!(resp.status(), StatusCode::FORBIDDEN);

    // the admin's token works, then expires
    assert_eq!(
        kc.admin(reqwest::Method::GET, users, &admin, None)
            .await
            .status(),
        StatusCode::OK
    );
    kc.kc.advance_clock(Duration::from_secs(301));
    let resp = kc.admin(reqwest::Method::GET, users, &admin, None).await;
    assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);
    let body: Value = resp.json().await.expect("json");
    assert_eq!(body["error"], "HTTP 401 Unauthorized");
}

#[tokio::test]
async fn clients_set_audience_scope_and_lifetime() {
    let kc = Kc::start().await;
    kc.kc.seed_user("sso", "user1", "pw1").expect("seed");
    assert!(
        kc.kc.add_client(
            "sso",
            ClientSpec::public("mcp-openshift")
                .with_audience(&["mcp-openshift"])
                .with_lifetime(Duration::from_secs(60)),
        )
    );
    assert!(
        kc.kc
            .add_client("sso", ClientSpec::public("private").with_secret("s3"))
    );
    let (status, body) = kc
        .user_token("user1", "pw1", "mcp-openshift", "openid mcp:tools")
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["expires_in"], 60);
    let token = body["access_token"].as_str().expect("token");
    let claims = verify(&kc, token, "mcp-openshift").await.expect("verifies");
    assert_eq!(
        claims["exp"].as_i64().unwrap_or(0) - claims["iat"].as_i64().unwrap_or(0),
        60
    );
    assert!(
        claims["scope"]
            .as_str()
            .unwrap_or_default()
            .contains("mcp:tools")
    );
    assert!(
        verify(&kc, token, "someone-else").await.is_err(),
        "audience is checked"
    );

    // an extra audience per request
    let (_, body) = kc
        .token_answer(
            "sso",
            &[
                ("client_id", "admin-cli"),
                ("grant_type", "password"),
                ("username", "user1"),
                ("password", "pw1"),
                ("audience", "mcp-gitea"),
            ],
        )
        .await;
    verify(
        &kc,
        body["access_token"].as_str().expect("token"),
        "mcp-gitea",
    )
    .await
    .expect("audience from the request");

    // confidential client: the secret is checked; unknown clients refused
    for (client, secret) in [("private", "wrong"), ("private", ""), ("nobody", "")] {
        let (status, body) = kc
            .token_answer(
                "sso",
                &[
                    ("client_id", client),
                    ("client_secret", secret),
                    ("grant_type", "password"),
                    ("username", "user1"),
                    ("password", "pw1"),
                ],
            )
            .await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{client}");
        assert_eq!(body["error"], "invalid_client");
    }
    let (status, _) = kc
        .token_answer(
            "sso",
            &[
                ("client_id", "private"),
                ("client_secret", "s3"),
                ("grant_type", "password"),
                ("username", "user1"),
                ("password", "pw1"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn bad_input_gets_a_specific_error() {
    let kc = Kc::start().await;
    let admin = kc.admin_token().await;
    let users = "/admin/realms/sso/users";
    let cases = [
        (json!({"enabled": true}), "username"),
        (json!({"username": "  "}), "username"),
        (json!({"username": 7}), "username"),
        (json!({"username": "x".repeat(300)}), "username"),
        (json!({"username": "a", "enabled": "yes"}), "enabled"),
        (
            json!({"username": "a", "credentials": [{"type": "password", "value": ""}]}),
            "value",
        ),
        (json!({"username": "a", "credentials": {}}), "credentials"),
    ];
    for (body, field) in cases {
        let resp = kc
            .admin(reqwest::Method::POST, users, &admin, Some(body.clone()))
            .await;
        assert_eq!(resp.status(), StatusCode::BAD_REQUEST, "{body}");
        let answer: Value = resp.json().await.expect("json");
        assert_eq!(answer["field"], field, "{body}: {answer}");
    }
    let resp = kc
        .http
        .post(kc.url(users))
        .bearer_auth(&admin)
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .expect("send");
    assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
    let answer: Value = resp.json().await.expect("json");
    assert_eq!(answer["field"], "body");
    let resp = kc
        .admin(
            reqwest::Method::GET,
            &format!("{users}?max=many"),
            &admin,
            None,
        )
        .await;
    assert_eq!(resp.status(), StatusCode::BAD_REQUEST);

    // a too large body is refused before parsing
    let big = json!({"username": "a", "firstName": "x".repeat(100_000)});
    let resp = kc
        .admin(reqwest::Method::POST, users, &admin, Some(big))
        .await;
    assert_eq!(resp.status(), StatusCode::PAYLOAD_TOO_LARGE);

    let id = kc.kc.seed_user("sso", "bob", "pw").expect("seed");
    let resp = kc
        .admin(
            reqwest::Method::PUT,
            &format!("{users}/{id}/reset-password"),
            &admin,
            Some(json!({"value": ""})),
        )
        .await;
    assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
    assert!(kc.kc.password_matches("sso", "bob", "pw"), "unchanged");
    let resp = kc
        .admin(
            reqwest::Method::PUT,
            &format!("{users}/nope/reset-password"),
            &admin,
            Some(json!({"value": "x"})),
        )
        .await;
    assert_eq!(resp.status(), StatusCode::NOT_FOUND);

    let resp = kc
        .admin(
            reqwest::Method::GET,
            "/admin/realms/nope/users",
            &admin,
            None,
        )
        .await;
    assert_eq!(resp.status(), StatusCode::NOT_FOUND);
    let resp = kc
        .http
        .get(kc.url("/realms/nope/.well-known/openid-configuration"))
        .send()
        .await
        .expect("send");
    assert_eq!(resp.status(), StatusCode::NOT_FOUND);

    let (status, body) = kc
        .token_answer(
            "sso",
            &[
                ("grant_type", "client_credentials"),
                ("client_id", "admin-cli"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["error"], "unsupported_grant_type");
    let (status, body) = kc.token_answer("sso", &[("client_id", "admin-cli")]).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["error"], "invalid_request");
    let (status, body) = kc
        .token_answer(
            "sso",
            &[
                ("grant_type", "password"),
                ("client_id", "admin-cli"),
                ("username", &"u".repeat(2000)),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");

    // a created user without `enabled: true` is disabled, as in Keycloak
    let resp = kc
        .admin(
            reqwest::Method::POST,
            users,
            &admin,
            Some(json!({"username": "off", "credentials": [{"type": "password", "value": "pw"}]})),
        )
        .await;
    assert_eq!(resp.status(), StatusCode::CREATED);
    let (status, body) = kc.user_token("off", "pw", "admin-cli", "").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["error_description"], "Account disabled");
}
