package main

import (
	"context"
	"io"
	"os"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	pb "hugin/fixtures/go/echopb"
)

func main() {
	conn, err := grpc.NewClient("127.0.0.1:"+os.Args[1], grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		panic(err)
	}
	defer conn.Close()
	c := pb.NewEchoClient(conn)
	ctx := context.Background()
	drain := func(s pb.Echo_StreamClient) {
		for {
			if _, err := s.Recv(); err != nil {
				if err != io.EOF {
					return
				}
				return
			}
		}
	}
	c.Unary(ctx, &pb.EchoRequest{Payload: "hello", ReplySize: 64})
	c.Unary(ctx, &pb.EchoRequest{Payload: "bad", Code: 5})
	s, _ := c.Stream(ctx, &pb.EchoRequest{Count: 3, ReplySize: 10})
	drain(s)
	c.Unary(ctx, &pb.EchoRequest{Payload: "again", ReplySize: 1})
	s, _ = c.Stream(ctx, &pb.EchoRequest{Count: 2, ReplySize: 4, Code: 14})
	drain(s)
}
