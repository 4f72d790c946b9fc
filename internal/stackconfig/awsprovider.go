package stackconfig

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strings"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// providerDocs is where the AWS provider documents its settings, for the fix of a value it would refuse.
const providerDocs = "https://www.pulumi.com/registry/packages/aws/api-docs/provider/"

// awsProviderSettings reads every setting the stack gives its default AWS provider, except aws:region: the
// arguments of the explicit providers a stack builds for its other Regions. An explicit provider reads no
// aws: configuration, so whatever the stack sets (profile, assumeRole, defaultTags, allowedAccountIds,
// sharedConfigFiles, endpoints, skip* flags, ...) must be copied, or the resources in other Regions would be
// deployed with other credentials, into another account, or without the stack's tags.
//
// The settings are the AWS provider's own, as the SDK's ProviderArgs type declares them: each is read by
// its name (aws:<name>), so a setting added by an SDK upgrade is copied too, and no enumeration of the
// run's configuration is needed. A secret stays a secret.
func (r *reader) awsProviderSettings(ctx *pulumi.Context) *aws.ProviderArgs {
	args := &aws.ProviderArgs{}
	target := reflect.ValueOf(args).Elem()
	settings := args.ElementType() // the plain struct whose fields carry the settings' names
	for i := range settings.NumField() {
		field := settings.Field(i)
		name, _, _ := strings.Cut(field.Tag.Get("pulumi"), ",")
		if name == "" || name == "region" {
			continue
		}
		key := "aws:" + name
		raw := r.raw(key)
		if raw == "" {
			continue
		}
		secret := ctx.IsConfigSecret(key)
		shown := display(raw)
		if secret {
			shown = "[secret]"
		}
		value := reflect.New(field.Type)
		if field.Type.Kind() == reflect.Pointer && field.Type.Elem().Kind() == reflect.String {
			value.Elem().Set(reflect.ValueOf(&raw))
		} else if err := json.Unmarshal([]byte(raw), value.Interface()); err != nil {
			r.fail(key, shown, "is not a value the AWS provider accepts for "+name+" ("+err.Error()+")",
				"write it as "+providerDocs+" documents it")
			continue
		}
		input := pulumi.ToOutput(value.Elem().Interface())
		if secret {
			input = pulumi.ToSecret(input)
		}
		dst := target.FieldByName(field.Name)
		if !dst.IsValid() || !reflect.TypeOf(input).AssignableTo(dst.Type()) {
			// Only an SDK whose ProviderArgs and its plain type disagree gets here; TestAWSProviderSettings
			// checks every setting of the SDK in use.
			r.fail(key, shown, fmt.Sprintf("cannot be copied to the providers of the stack's other Regions (the AWS SDK's %s)", field.Name),
				"remove it, or report this as a bug of log-archive")
			continue
		}
		dst.Set(reflect.ValueOf(input))
	}
	return args
}
