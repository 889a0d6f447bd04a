// Command pulumi-resource-alicloud is the Pulumi resource provider for Alibaba Cloud that fcinfra's tests run.
//
// pulumi-alicloud's own provider module is not served by the Go module proxy, so this program bridges the same
// upstream Terraform provider with the same bridge, mapping the resources fcinfra declares to the tokens the
// pulumi-alicloud Python SDK sends. Its version is set at link time to the SDK version it stands in for.
package main

import (
	"github.com/pulumi/pulumi-terraform-bridge/v3/pkg/tfbridge"
)

// version is set with -ldflags "-X main.version=..."; the engine looks a plugin up by this version.
var version = ""

func main() {
	tfbridge.Main("alicloud", version, providerInfo(version), nil)
}
