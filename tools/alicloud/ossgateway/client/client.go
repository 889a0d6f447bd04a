// Package client stands in for Alibaba Cloud's OSS signing gateway, whose module the Go module proxy does not
// serve. The Terraform provider only asks for it when it calls OSS, which fcinfra never declares: every hook
// fails with a clear error instead of signing a request wrongly.
package client

import (
	"errors"

	spi "github.com/alibabacloud-go/alibabacloud-gateway-spi/client"
)

// errUnavailable is what any OSS call made through this build reports.
var errUnavailable = errors.New("OSS is not available in fcinfra's test build of the alicloud provider")

// Client implements the gateway interface by refusing every request.
type Client struct{}

// NewClient returns the refusing gateway.
func NewClient() (*Client, error) { return &Client{}, nil }

// ModifyConfiguration refuses.
func (*Client) ModifyConfiguration(*spi.InterceptorContext, *spi.AttributeMap) error { return errUnavailable }

// ModifyRequest refuses.
func (*Client) ModifyRequest(*spi.InterceptorContext, *spi.AttributeMap) error { return errUnavailable }

// ModifyResponse refuses.
func (*Client) ModifyResponse(*spi.InterceptorContext, *spi.AttributeMap) error { return errUnavailable }
