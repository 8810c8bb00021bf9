// A real OpenID Connect provider for the tests (panva's oidc-provider, certified):
// discovery, JWKS, signed ID tokens, authorization code with PKCE required.
// Usage: node provider.mjs PORT REDIRECT_URI [REDIRECT_URI...]
// Its development login form accepts any password; the account is the login typed.
import Provider from 'oidc-provider';

const [port, ...redirects] = process.argv.slice(2);
const issuer = `http://127.0.0.1:${port}`;

// login -> claims. "groups" is the roles claim the guard maps (sso.roles_claim).
const accounts = {
  'boss@example.co.jp': { email: 'Boss@Example.co.jp', email_verified: true, name: 'Boss', groups: ['mdg-admins'] },
  'kacho@example.co.jp': { email: 'kacho@example.co.jp', email_verified: true, name: 'Kacho', groups: ['mdg-approvers', 'sales'] },
  'taro@example.co.jp': { email: 'taro@example.co.jp', email_verified: true, name: 'Taro', groups: ['sales'] },
  'unverified@example.co.jp': { email: 'unverified@example.co.jp', email_verified: false, name: 'U', groups: ['mdg-admins'] },
  // a guest of the tenant (another company's address), an admin by the provider's groups
  'guest@partner.example': { email: 'guest@partner.example', email_verified: true, name: 'Guest', groups: ['mdg-admins'] },
  // Entra ID's groups overage: too many groups, the claim points elsewhere (Core §5.6.2)
  'many@example.co.jp': {
    email: 'many@example.co.jp', email_verified: true, name: 'Many',
    _claim_names: { groups: 'src1' },
    _claim_sources: { src1: { endpoint: 'https://graph.microsoft.com/v1.0/users/x/getMemberObjects' } },
  },
};

const configuration = {
  clients: [
    {
      client_id: 'mdg',
      client_secret: 'mdg-test-secret',
      redirect_uris: redirects,
      grant_types: ['authorization_code'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
    },
    {
      // another relying party of the same provider: its ID tokens are not for the guard
      client_id: 'other',
      client_secret: 'other-test-secret',
      redirect_uris: redirects,
      grant_types: ['authorization_code'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
    },
  ],
  pkce: { required: () => true },
  claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name', 'groups'] },
  conformIdTokenClaims: false, // the scopes' claims in the ID token, as Entra ID and Keycloak do
  async findAccount(ctx, id) {
    const claims = accounts[id.toLowerCase()];
    if (!claims) return undefined;
    return { accountId: id.toLowerCase(), async claims() { return { sub: id.toLowerCase(), ...claims }; } };
  },
  ttl: { AuthorizationCode: 60, IdToken: 300, AccessToken: 300, Interaction: 600, Session: 600, Grant: 600 },
};

const provider = new Provider(issuer, configuration);
provider.on('server_error', (ctx, err) => console.error('server_error', err));
provider.listen(Number(port), '127.0.0.1', () => console.log(`ready ${issuer}`));
