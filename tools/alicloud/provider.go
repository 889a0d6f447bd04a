package main

import (
	"github.com/aliyun/terraform-provider-alicloud/alicloud"
	"github.com/hashicorp/terraform-plugin-sdk/helper/schema"
	"github.com/pulumi/pulumi-terraform-bridge/v3/pkg/tfbridge"
	shimv1 "github.com/pulumi/pulumi-terraform-bridge/v3/pkg/tfshim/sdk-v1"
	"github.com/pulumi/pulumi/sdk/v3/go/common/tokens"
)

// fcResources maps the Terraform FC 2.0 and FC 3.0 resources to the type tokens of pulumi_alicloud.fc.
var fcResources = map[string]string{
	"alicloud_fc_service":       "Service",
	"alicloud_fc_function":      "Function",
	"alicloud_fc_alias":         "Alias",
	"alicloud_fc_trigger":       "Trigger",
	"alicloud_fc_custom_domain": "CustomDomain",
	// FC 3.0 (API 2023-03-30): the same "fc" endpoint setting as FC 2.0 (ALIBABA_CLOUD_ENDPOINT_FC).
	"alicloud_fcv3_function":         "V3Function",
	"alicloud_fcv3_function_version": "V3FunctionVersion",
	"alicloud_fcv3_alias":            "V3Alias",
	"alicloud_fcv3_trigger":          "V3Trigger",
}

// fcFields are the only property mappings pulumi_alicloud 4.0.0's Python SDK shows differ from the bridge's
// defaults: two computed lists without MaxItems that the SDK types as one object (`V3Function.tracing_config`,
// `V3Trigger.http_trigger`, whose `url_internet` is the trigger's URL). Every other name, FC 2.0's included, is
// the standard mapping.
var fcFields = map[string]map[string]*tfbridge.SchemaInfo{
	"alicloud_fcv3_function": {"tracing_config": {MaxItemsOne: tfbridge.True()}},
	"alicloud_fcv3_trigger":  {"http_trigger": {MaxItemsOne: tfbridge.True()}},
}

// fcResourceToken is "alicloud:fc/<camelName>:<Name>", the token pulumi_alicloud.fc.<Name> registers.
func fcResourceToken(name string) tokens.Type {
	file := string(name[0]+('a'-'A')) + name[1:]
	return tokens.Type("alicloud:fc/" + file + ":" + name)
}

// providerInfo describes the provider to the bridge: the Terraform provider, its config defaults from the
// environment (as pulumi-alicloud sets them) and the resources fcinfra uses. Other resources stay unmapped.
func providerInfo(version string) tfbridge.ProviderInfo {
	resources := make(map[string]*tfbridge.ResourceInfo, len(fcResources))
	for tf, name := range fcResources {
		resources[tf] = &tfbridge.ResourceInfo{Tok: fcResourceToken(name), Fields: fcFields[tf]}
	}
	prov := tfbridge.ProviderInfo{
		P:       shimv1.NewProvider(alicloud.Provider().(*schema.Provider)),
		Name:    "alicloud",
		Version: version,
		Config: map[string]*tfbridge.SchemaInfo{
			"region":        {Default: &tfbridge.DefaultInfo{EnvVars: []string{"ALICLOUD_REGION"}}},
			"profile":       {Default: &tfbridge.DefaultInfo{EnvVars: []string{"ALICLOUD_PROFILE"}}},
			"ecs_role_name": {Default: &tfbridge.DefaultInfo{EnvVars: []string{"ALICLOUD_ECS_ROLE_NAME"}}},
		},
		Resources:      resources,
		DataSources:    map[string]*tfbridge.DataSourceInfo{},
		IgnoreMappings: nil,
	}
	prov.SetAutonaming(255, "-")
	return prov
}
