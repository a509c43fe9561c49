// A real OpenID provider for the tests (oidc-provider, an OpenID-certified implementation).
// Usage: node provider.mjs <config.json>; prints "listening <issuer>" once it serves.
// The config (written by tests/oidc/provider.py): issuer, port, signing keys (private JWKs), the algorithm of the
// access tokens, their lifetime, the API's audience, the portal's client, and the accounts with their groups.
// Sign-in runs through oidc-provider's development interactions (any password; the login names an account).
import { readFileSync } from "node:fs";
import Provider from "oidc-provider";

const config = JSON.parse(readFileSync(process.argv[2], "utf8"));

const provider = new Provider(config.issuer, {
  clients: [config.client],
  jwks: { keys: config.keys },
  cookies: { keys: ["jointcall-tests-cookie-key"] },
  pkce: { required: () => true },
  claims: { openid: ["sub"], profile: ["name"], email: ["email"], groups: ["groups"] },
  scopes: ["openid", "profile", "email", "groups", config.api_scope],
  async findAccount(_ctx, id) {
    const account = config.accounts[id];
    if (!account) return undefined;
    return { accountId: id, async claims() { return { sub: id, ...account }; } };
  },
  // The access token carries the account's groups, as Keycloak's group mapper does.
  async extraTokenClaims(_ctx, token) {
    const account = config.accounts[token.accountId];
    return account ? { groups: account.groups } : undefined;
  },
  ttl: { AccessToken: config.access_token_ttl_s, IdToken: 3600, Session: 3600, Grant: 3600, Interaction: 600 },
  features: {
    devInteractions: { enabled: true },
    rpInitiatedLogout: { enabled: true },
    resourceIndicators: {
      enabled: true,
      defaultResource: () => config.audience,
      useGrantedResource: () => true,
      getResourceServerInfo: (_ctx, resource) => {
        if (resource !== config.audience) throw new Error(`unknown resource ${resource}`);
        return {
          scope: config.api_scope,
          audience: config.audience,
          accessTokenTTL: config.access_token_ttl_s,
          accessTokenFormat: "jwt",
          jwt: { sign: { alg: config.access_token_alg } },
        };
      },
    },
  },
  enabledJWA: { idTokenSigningAlgValues: ["RS256", "ES256"] },
});
provider.on("server_error", (_ctx, error) => console.error("server_error", error));

const server = provider.listen(config.port, "127.0.0.1", () => {
  console.log(`listening ${config.issuer}`);
});
for (const signal of ["SIGTERM", "SIGINT"]) process.on(signal, () => server.close(() => process.exit(0)));
