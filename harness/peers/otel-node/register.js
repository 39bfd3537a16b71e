// The OpenTelemetry Node SDK with auto-instrumentation, loaded into an unmodified service with
//   NODE_OPTIONS="--require /path/to/harness/peers/otel-node/register.js"
// Spans go through the SDK's BatchSpanProcessor (as in production) to an exporter that drops
// them: the cost measured is the in-process instrumentation, not a network exporter.
// With HUGIN_OTEL_SPAN_COUNT_FILE set, the number of ended server spans is written there at exit
// so the harness can check the peer really instrumented the service.
'use strict';

process.env.OTEL_TRACES_EXPORTER ??= 'none';
process.env.OTEL_METRICS_EXPORTER ??= 'none';
process.env.OTEL_LOGS_EXPORTER ??= 'none';
process.env.OTEL_SERVICE_NAME ??= 'hugin-fixture-node';

const fs = require('fs');
const { NodeSDK } = require('@opentelemetry/sdk-node');
const { getNodeAutoInstrumentations } = require('@opentelemetry/auto-instrumentations-node');
const { BatchSpanProcessor } = require('@opentelemetry/sdk-trace-base');
const { SpanKind } = require('@opentelemetry/api');

const discardingExporter = {
  export(spans, resultCallback) {
    resultCallback({ code: 0 });  // ExportResultCode.SUCCESS
  },
  shutdown() {
    return Promise.resolve();
  },
};

let serverSpans = 0;
const countingProcessor = {
  onStart() {},
  onEnd(span) {
    if (span.kind === SpanKind.SERVER) serverSpans++;
  },
  forceFlush() {
    return Promise.resolve();
  },
  shutdown() {
    return Promise.resolve();
  },
};

const sdk = new NodeSDK({
  spanProcessors: [new BatchSpanProcessor(discardingExporter), countingProcessor],
  instrumentations: [getNodeAutoInstrumentations()],
});
sdk.start();

const countFile = process.env.HUGIN_OTEL_SPAN_COUNT_FILE;
if (countFile) {
  process.on('exit', () => {
    try {
      fs.writeFileSync(countFile, `${serverSpans}\n`);
    } catch (e) {
      process.stderr.write(`otel-peer: cannot write ${countFile}: ${e.message}\n`);
    }
  });
}
