const path = require('path');
const nm = '/work/main/fixtures/node/node_modules/';
const grpc = require(nm + '@grpc/grpc-js');
const loader = require(nm + '@grpc/proto-loader');
const def = loader.loadSync('/work/main/fixtures/proto/echo.proto');
const Echo = grpc.loadPackageDefinition(def).hugin.fixture.Echo;
const c = new Echo('127.0.0.1:' + process.argv[2], grpc.credentials.createInsecure());
const unary = (req) => new Promise((res) => c.Unary(req, (err, r) => res(err)));
const stream = (req) => new Promise((res) => { const s = c.Stream(req); s.on('data', () => {}); s.on('error', res); s.on('end', res); });
(async () => {
  await unary({payload: 'hello', reply_size: 64});
  await unary({payload: 'bad', code: 5});
  await stream({count: 3, reply_size: 10});
  await unary({payload: 'again', reply_size: 1});
  await stream({count: 2, reply_size: 4, code: 14});
  c.close();
})();
