import { Duration, RemovalPolicy, type Stack } from 'aws-cdk-lib';
import {
  CorsHttpMethod,
  HttpApi,
  type HttpMethod,
  HttpNoneAuthorizer,
  type HttpRoute,
  HttpStage,
  LogGroupLogDestination,
} from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpUserPoolAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import {
  CfnUserPoolGroup,
  FeaturePlan,
  Mfa,
  OAuthScope,
  StandardThreatProtectionMode,
  UserPool,
  type UserPoolClient,
  UserPoolClientIdentityProvider,
  type UserPoolDomain,
} from 'aws-cdk-lib/aws-cognito';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import { roles } from '../../shared/workflow/transitions.ts';
import type { StaffUiConnection } from '../staff-ui.ts';
import { type AppFunction, logRetention } from './app-function.ts';

export interface StaffAccessProps {
  /** The staff UI's address, ending in a slash: sign-in returns there, and only its origin may call the API. */
  uiUrl: string;
  /** Hosted sign-in is at <prefix>.auth.<region>.amazoncognito.com. */
  signInDomainPrefix: string;
  logDays: number;
}

/** A route the API serves: a function's trigger declares them. */
export interface ApiRoute {
  method: string;
  path: string;
  /** Callable without signing in. */
  public?: boolean;
}

/**
 * How staff sign in, and the API they call. Defaults it sets:
 * - a Cognito user pool: no self sign-up, email as the user name, passwords of 14 or more
 *   characters with every class, MFA required (an authenticator app, never SMS), the Plus
 *   plan's threat protection enforcing, retained if the stack goes;
 * - a group per role of shared/workflow/transitions.ts: a staff member's group is their
 *   role;
 * - hosted sign-in at `signInDomainPrefix`, and the UI's client: no secret, authorization
 *   code with PKCE, openid, email and profile, tokens for an hour (refresh for 12);
 * - an HTTP API where every route needs that client's token unless it is declared public;
 *   CORS for the UI's origin only (GET, POST and PUT; authorization, content-type and
 *   if-match; etag exposed; an hour's preflight cache);
 * - its `$default` stage deployed automatically, throttled to 50 requests a second (bursts
 *   of 100), and every call logged to a log group kept `logDays`, retained.
 *
 * Its resources are the stack's own children (their logical IDs predate this class).
 */
export class StaffAccess {
  readonly users: UserPool;
  readonly client: UserPoolClient;
  readonly signIn: UserPoolDomain;
  readonly api: HttpApi;
  /** The API's base address, ending in a slash. */
  readonly apiUrl: string;
  /** What the staff UI's config.json tells it: where the API and sign-in are. */
  readonly uiConfig: StaffUiConnection;
  /** Routes anyone may call; infra/nag.ts says why each is fine. */
  readonly publicRoutes: Array<{ route: HttpRoute; path: string }> = [];

  /** The origins the staff UI calls: the API and hosted sign-in (its Content-Security-Policy). */
  static origins(scope: Stack, signInDomainPrefix: string): string[] {
    return [
      `https://*.execute-api.${scope.region}.amazonaws.com`,
      `https://${signInDomainPrefix}.auth.${scope.region}.amazoncognito.com`,
    ];
  }

  constructor(scope: Stack, props: StaffAccessProps) {
    const callback = `${props.uiUrl}callback`;
    this.users = new UserPool(scope, 'StaffUsers', {
      selfSignUpEnabled: false,
      signInAliases: { email: true },
      passwordPolicy: {
        minLength: 14,
        requireLowercase: true,
        requireUppercase: true,
        requireDigits: true,
        requireSymbols: true,
      },
      mfa: Mfa.REQUIRED,
      mfaSecondFactor: { otp: true, sms: false },
      featurePlan: FeaturePlan.PLUS,
      standardThreatProtectionMode: StandardThreatProtectionMode.FULL_FUNCTION,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    for (const role of roles)
      new CfnUserPoolGroup(scope, `Group-${role}`, {
        userPoolId: this.users.userPoolId,
        groupName: role,
      });
    this.signIn = this.users.addDomain('SignIn', {
      cognitoDomain: { domainPrefix: props.signInDomainPrefix },
    });
    this.client = this.users.addClient('StaffUi', {
      generateSecret: false,
      preventUserExistenceErrors: true,
      supportedIdentityProviders: [UserPoolClientIdentityProvider.COGNITO],
      oAuth: {
        flows: { authorizationCodeGrant: true },
        scopes: [OAuthScope.OPENID, OAuthScope.EMAIL, OAuthScope.PROFILE],
        callbackUrls: [callback],
        logoutUrls: [props.uiUrl],
      },
      idTokenValidity: Duration.hours(1),
      accessTokenValidity: Duration.hours(1),
      refreshTokenValidity: Duration.hours(12),
    });

    const accessLogs = new LogGroup(scope, 'StaffApiAccessLogs', {
      retention: logRetention(props.logDays),
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.api = new HttpApi(scope, 'StaffApi', {
      createDefaultStage: false,
      defaultAuthorizer: new HttpUserPoolAuthorizer('StaffAuthorizer', this.users, {
        userPoolClients: [this.client],
      }),
      corsPreflight: {
        allowOrigins: [props.uiUrl.replace(/\/$/, '')],
        allowMethods: [CorsHttpMethod.GET, CorsHttpMethod.POST, CorsHttpMethod.PUT],
        allowHeaders: ['authorization', 'content-type', 'if-match'],
        exposeHeaders: ['etag'],
        maxAge: Duration.hours(1),
      },
    });
    new HttpStage(scope, 'StaffApiStage', {
      httpApi: this.api,
      stageName: '$default',
      autoDeploy: true,
      throttle: { rateLimit: 50, burstLimit: 100 },
      accessLogSettings: { destination: new LogGroupLogDestination(accessLogs) },
    });
    this.apiUrl = `${this.api.apiEndpoint}/`;
    this.uiConfig = {
      mode: 'cognito',
      apiUrl: this.apiUrl,
      region: scope.region,
      userPoolId: this.users.userPoolId,
      clientId: this.client.userPoolClientId,
      signInUrl: this.signIn.baseUrl(),
      redirectUri: callback,
    };
  }

  /**
   * For a function that reads USER_POOL_ID: names the user pool and lets it list the role
   * groups' members (the staff a request may be assigned to), nothing more.
   */
  bindDirectory(app: AppFunction): void {
    if (!app.reads('USER_POOL_ID')) return;
    app.setEnv('USER_POOL_ID', this.users.userPoolId);
    app.fn.addToRolePolicy(
      new PolicyStatement({
        actions: ['cognito-idp:ListUsersInGroup'],
        resources: [this.users.userPoolArn],
      }),
    );
  }

  /** The routes `fn` serves (the function `name` of infra/functions.ts). */
  serve(name: string, fn: IFunction, routes: ReadonlyArray<ApiRoute>): void {
    const integration = new HttpLambdaIntegration(`${name}Integration`, fn);
    for (const route of routes) {
      const added = this.api.addRoutes({
        path: route.path,
        methods: [route.method as HttpMethod],
        integration,
        ...(route.public ? { authorizer: new HttpNoneAuthorizer() } : {}),
      });
      if (route.public)
        this.publicRoutes.push(
          ...added.map((publicRoute) => ({ route: publicRoute, path: route.path })),
        );
    }
  }
}
