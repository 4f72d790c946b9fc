package stackconfig

import (
	"encoding/json"
	"reflect"
	"strings"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// providerDocs is where the AWS provider documents its settings, for the fix of a value it would refuse.
const providerDocs = "https://www.pulumi.com/registry/packages/aws/api-docs/provider/"

// awsProviderSettings reads every setting the stack gives its default AWS provider, except aws:region: the
// inputs of the explicit providers a stack builds for its other Regions. An explicit provider reads no
// aws: configuration, so whatever the stack sets (profile, assumeRole, defaultTags, allowedAccountIds,
// sharedConfigFiles, endpoints, skip* flags, ...) must be copied, or the resources in other Regions would be
// deployed with other credentials, into another account, or without the stack's tags.
//
// The settings are the AWS provider's own, as the SDK's ProviderArgs type declares them: each is read by
// its name (aws:<name>), so a setting added by an SDK upgrade is copied too, and no enumeration of the
// run's configuration is needed. Each value is checked against the setting's type and passed on as the
// stack wrote it (not as the SDK's struct, which would add empty lists for the fields left out). A secret
// stays a secret.
func (r *reader) awsProviderSettings(ctx *pulumi.Context) pulumi.Map {
	settings := pulumi.Map{}
	declared := aws.ProviderArgs{}.ElementType() // the plain struct whose fields carry the settings' names
	for i := range declared.NumField() {
		field := declared.Field(i)
		name, _, _ := strings.Cut(field.Tag.Get("pulumi"), ",")
		if name == "" || name == "region" {
			continue
		}
		key := "aws:" + name
		raw := r.raw(key)
		if raw == "" {
			continue
		}
		// The credentials are secrets whichever way they were written, as aws.NewProvider makes them.
		secret := ctx.IsConfigSecret(key) || name == "accessKey" || name == "secretKey" || name == "token"
		shown := display(raw)
		if secret {
			shown = "[secret]"
		}
		var value any = raw
		if !(field.Type.Kind() == reflect.Pointer && field.Type.Elem().Kind() == reflect.String) {
			typed := reflect.New(field.Type).Interface()
			err := json.Unmarshal([]byte(raw), typed)
			if err == nil {
				err = json.Unmarshal([]byte(raw), &value)
			}
			if err != nil {
				r.fail(key, shown, "is not a value the AWS provider accepts for "+name+" ("+err.Error()+")",
					"write it as "+providerDocs+" documents it")
				continue
			}
		}
		input := pulumi.Any(value)
		if secret {
			input = pulumi.ToSecret(input).(pulumi.AnyOutput)
		}
		settings[name] = input
	}
	return settings
}
