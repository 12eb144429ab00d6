/**
 * The import boundaries of postroom's architecture (README, "Architecture"), checked by
 * `npm run lint`. Each rule says which way dependencies may not point, and why.
 */
module.exports = {
  forbidden: [
    {
      name: 'shared-stands-alone',
      comment:
        'shared/ is what the functions are built from: it never reaches back into the handlers (functions/) or the infrastructure (infra/), or a Lambda bundle would carry the CDK app.',
      severity: 'error',
      from: { path: '^shared/' },
      to: { path: '^(functions|infra)/' },
    },
    {
      name: 'domain-without-aws',
      comment:
        'The domain folders take what they need as parameters (ports as functions); only the adapters in shared/aws/ talk to AWS.',
      severity: 'error',
      from: { path: '^shared/(?!aws/)' },
      to: { path: '^shared/aws/|@aws-sdk' },
    },
    {
      name: 'aws-sdk-in-adapters-only',
      comment:
        'The AWS SDK is imported by the adapters (shared/aws/, and the local cloud in infra/local/), the tests and the benches; nowhere else.',
      severity: 'error',
      from: { pathNot: '^(shared/aws|infra/local|tests|bench)/' },
      to: { path: '@aws-sdk' },
    },
    {
      name: 'handlers-are-leaves',
      comment:
        'Nothing imports a Lambda handler except the local runtime and the tests, which run them.',
      severity: 'error',
      from: { pathNot: '^(functions|infra/local|tests|bench)/' },
      to: { path: '^functions/' },
    },
    {
      name: 'pdfjs-and-nlp-in-extraction-only',
      comment:
        'pdf.js (through unpdf, 1.6 MB) and compromise (NLP, 360 KB and a second per MB): only the text-extraction function may carry them (infra/functions.ts, extractText), never intake, the staff API or publication.',
      severity: 'error',
      from: {
        pathNot:
          '^(shared/attachments/(pdf-text|people)\\.ts|functions/extract-text\\.ts|tests|bench)',
      },
      to: { path: 'node_modules/(unpdf|compromise)/|^shared/attachments/(pdf-text|people)\\.ts' },
    },
    {
      name: 'no-circular',
      comment: 'A cycle makes load order matter and hides which module owns what.',
      severity: 'error',
      from: {},
      to: { circular: true, dependencyTypesNot: ['type-only'] },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(node_modules|cdk\\.out|\\.local|web/dist)' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default'],
    },
  },
};
