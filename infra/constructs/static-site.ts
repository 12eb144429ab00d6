import { Annotations, Duration } from 'aws-cdk-lib';
import { Certificate } from 'aws-cdk-lib/aws-certificatemanager';
import {
  AccessLevel,
  AllowedMethods,
  CachePolicy,
  Distribution,
  Function as EdgeFunction,
  FunctionCode,
  FunctionEventType,
  FunctionRuntime,
  HeadersFrameOption,
  HeadersReferrerPolicy,
  HttpVersion,
  PriceClass,
  ResponseHeadersPolicy,
  SecurityPolicyProtocol,
  ViewerProtocolPolicy,
} from 'aws-cdk-lib/aws-cloudfront';
import { S3BucketOrigin } from 'aws-cdk-lib/aws-cloudfront-origins';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';

export interface StaticSiteProps {
  /** The private bucket CloudFront reads through origin access control. */
  bucket: IBucket;
  /** Where CloudFront writes its access logs (a bucket with ACLs enabled). */
  logBucket: IBucket;
  logPrefix: string;
  /** The Content-Security-Policy every response carries. */
  contentSecurityPolicy: string;
  /** A custom domain and its us-east-1 ACM certificate; else the cloudfront.net name. */
  domain?: { name: string; certificateArn: string };
  comment: string;
  /**
   * A single-page app: paths that are not objects get index.html (the app routes them).
   * Otherwise a path ending in a slash gets that folder's index.html.
   */
  singlePageApp?: boolean;
  /** For a site of pages: the object (e.g. 404.html) shown, with a 404, for a missing one. */
  notFoundPage?: string;
}

// Runs at the edge before the cache: "/years/2026/" -> "/years/2026/index.html", since S3
// behind OAC has no website index documents.
const folderIndex = `function handler(event) {
  var request = event.request;
  if (request.uri.endsWith('/')) request.uri += 'index.html';
  return request;
}`;

/**
 * What a missing object answers: an app routes every path itself (index.html, as 200); a
 * site of pages shows its not-found page, still as a 404.
 */
function notFoundResponses(props: StaticSiteProps) {
  if (props.singlePageApp)
    return [
      {
        httpStatus: 404,
        responseHttpStatus: 200,
        responsePagePath: '/index.html',
        ttl: Duration.seconds(0),
      },
    ];
  if (!props.notFoundPage) return [];
  return [
    {
      httpStatus: 404,
      responseHttpStatus: 404,
      responsePagePath: `/${props.notFoundPage}`,
      // Short, so a note published a moment after someone looked for it shows.
      ttl: Duration.seconds(60),
    },
  ];
}

/**
 * A CloudFront distribution in front of a private bucket: HTTPS only, origin access
 * control (the bucket stays private), a security-headers policy, access logs and, when
 * given, a custom domain with its certificate at TLS 1.2 or later.
 */
export class StaticSite extends Construct {
  readonly distribution: Distribution;
  /** https://<domain>/, ending in a slash. */
  readonly url: string;
  /** The custom domain, when it has one. */
  readonly domainName?: string;

  constructor(scope: Construct, id: string, props: StaticSiteProps) {
    super(scope, id);
    const headers = new ResponseHeadersPolicy(this, 'SecurityHeaders', {
      comment: `${props.comment}: security headers`,
      securityHeadersBehavior: {
        contentSecurityPolicy: {
          contentSecurityPolicy: props.contentSecurityPolicy,
          override: true,
        },
        contentTypeOptions: { override: true },
        frameOptions: { frameOption: HeadersFrameOption.DENY, override: true },
        referrerPolicy: {
          referrerPolicy: HeadersReferrerPolicy.STRICT_ORIGIN_WHEN_CROSS_ORIGIN,
          override: true,
        },
        strictTransportSecurity: {
          accessControlMaxAge: Duration.days(730),
          includeSubdomains: true,
          override: true,
        },
      },
    });
    this.distribution = new Distribution(this, 'Distribution', {
      comment: props.comment,
      defaultRootObject: 'index.html',
      defaultBehavior: {
        // Listing lets S3 say 404 rather than 403 for a page that is not there (or was
        // taken down). Query strings never reach the origin, so nothing can be listed.
        origin: S3BucketOrigin.withOriginAccessControl(props.bucket, {
          originAccessLevels: [AccessLevel.READ, AccessLevel.LIST],
        }),
        viewerProtocolPolicy: ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        allowedMethods: AllowedMethods.ALLOW_GET_HEAD,
        cachePolicy: CachePolicy.CACHING_OPTIMIZED,
        responseHeadersPolicy: headers,
        compress: true,
        functionAssociations: props.singlePageApp
          ? []
          : [
              {
                eventType: FunctionEventType.VIEWER_REQUEST,
                function: new EdgeFunction(this, 'FolderIndex', {
                  code: FunctionCode.fromInline(folderIndex),
                  runtime: FunctionRuntime.JS_2_0,
                  comment: 'Serves index.html for paths ending in a slash',
                }),
              },
            ],
      },
      errorResponses: notFoundResponses(props),
      httpVersion: HttpVersion.HTTP2_AND_3,
      priceClass: PriceClass.PRICE_CLASS_100,
      enableLogging: true,
      logBucket: props.logBucket,
      logFilePrefix: props.logPrefix,
      ...(props.domain
        ? {
            domainNames: [props.domain.name],
            certificate: Certificate.fromCertificateArn(
              this,
              'Certificate',
              props.domain.certificateArn,
            ),
            minimumProtocolVersion: SecurityPolicyProtocol.TLS_V1_2_2021,
          }
        : {}),
    });
    // CDK warns about LIST on every default behaviour; its advice, a default root object,
    // is followed above, so the bare root never lists the bucket.
    Annotations.of(this.distribution).acknowledgeWarning(
      '@aws-cdk/aws-cloudfront-origins:listBucketSecurityRisk',
      'defaultRootObject is index.html, so / serves a page, not a listing',
    );
    this.domainName = props.domain?.name;
    this.url = `https://${this.domainName ?? this.distribution.distributionDomainName}/`;
  }
}
