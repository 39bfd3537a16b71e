import sys, grpc
sys.path.insert(0, "/work/main/fixtures/python")
import echo_pb2, echo_pb2_grpc
port = sys.argv[1]
with grpc.insecure_channel(f"127.0.0.1:{port}") as ch:
    stub = echo_pb2_grpc.EchoStub(ch)
    stub.Unary(echo_pb2.EchoRequest(payload="hello", reply_size=64))
    try:
        stub.Unary(echo_pb2.EchoRequest(payload="bad", code=5))
    except grpc.RpcError as e:
        assert e.code() == grpc.StatusCode.NOT_FOUND
    list(stub.Stream(echo_pb2.EchoRequest(count=3, reply_size=10)))
    stub.Unary(echo_pb2.EchoRequest(payload="again", reply_size=1))
    try:
        list(stub.Stream(echo_pb2.EchoRequest(count=2, reply_size=4, code=14)))
    except grpc.RpcError as e:
        assert e.code() == grpc.StatusCode.UNAVAILABLE
