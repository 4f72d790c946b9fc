package catalog_test

import (
	"encoding/json"
	"maps"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"log-archive/internal/catalog"
	"log-archive/internal/deployer"
	"log-archive/internal/plan"
	"log-archive/internal/program"
	"log-archive/internal/testfixture"
)

// configuration is one stack the program can be given: a fixture stack file, or one changed from it.
type configuration struct {
	name, stack string
	set         map[string]string // config keys set over the fixture's
	// archiveSet are config keys set over the fixture archive's, for a source whose archive differs.
	archiveSet map[string]string
}

// configurations are the fixture stack files and, changed from them, the configurations they lack: every
// switch that makes the program register other resource types. Object Lock and lifecycle are in the
// destination fixture; 100 buckets in 5 Regions (managed policies, providers) is Pulumi.source-large.yaml.
func configurations(t *testing.T, dir string) []configuration {
	names, err := plan.StackNames(dir)
	require.NoError(t, err)
	var out []configuration
	for _, n := range names {
		out = append(out, configuration{name: n, stack: n})
	}
	key := func(region string, n int) string {
		return "arn:aws:kms:" + region + ":222222222222:key/aaaaaaaa-1111-2222-3333-00000000000" + string(rune('0'+n))
	}
	return append(out,
		configuration{name: "source, RTC on, buckets in 3 Regions", stack: "source", set: map[string]string{
			"log-archive:replicationTimeControl": "true",
			"log-archive:sourceBuckets": `[
				{"name": "west-app-logs", "kmsKeyArns": ["` + key("eu-west-1", 1) + `"]},
				{"name": "east-app-logs", "region": "us-east-1", "kmsKeyArns": ["` + key("us-east-1", 2) + `"]},
				{"name": "central-app-logs", "region": "eu-central-1", "kmsKeyArns": ["` + key("eu-central-1", 3) + `"]}]`,
		}},
		configuration{name: "source, alarms off", stack: "source", set: map[string]string{"log-archive:alarms": `{"enabled": false}`}},
		configuration{name: "source, alarms to a named topic", stack: "source", set: map[string]string{
			"log-archive:alarms": `{"topicArns": {"eu-west-1": "arn:aws:sns:eu-west-1:222222222222:security-alerts"}}`}},
		configuration{name: "source, existing buckets only", stack: "source", set: map[string]string{"log-archive:logBuckets": ""}},
		// The fleet view: the archive's sinks, sink policies, dashboards and alarms in two Regions, and a source
		// with a bucket in the second Region linking to both sinks (one through an explicit provider).
		configuration{name: "destination, fleet view in 2 Regions", stack: "destination", set: map[string]string{
			"log-archive:monitoring": `{"enabled": true, "regions": ["us-east-1"]}`}},
		configuration{name: "source, fleet view on, buckets in 2 Regions", stack: "source",
			set: map[string]string{
				"log-archive:monitoring": `{"enabled": true}`,
				"log-archive:sourceBuckets": `[
				{"name": "west-app-logs", "kmsKeyArns": ["` + key("eu-west-1", 1) + `"]},
				{"name": "east-app-logs", "region": "us-east-1", "kmsKeyArns": ["` + key("us-east-1", 2) + `"]}]`},
			archiveSet: map[string]string{"log-archive:monitoring": `{"enabled": true, "regions": ["us-east-1"]}`}},
		configuration{name: "destination, organization, no Object Lock, no lifecycle", stack: "destination", set: map[string]string{
			"log-archive:sourceOrganization": `{"id": "o-a1b2c3d4e5", "paths": ["o-a1b2c3d4e5/r-ab12/ou-ab12-11111111/"]}`,
			"log-archive:objectLock":         "",
			"log-archive:lifecycle":          "",
		}},
	)
}

// setOver sets the keys of set over the stack's configuration ("" removes a key).
func setOver(stack *plan.Stack, set map[string]string) {
	stack.Config = maps.Clone(stack.Config)
	for k, v := range set {
		if v == "" {
			delete(stack.Config, k)
		} else {
			stack.Config[k] = v
		}
	}
}

// planned is a configuration's plan and its stack.
type planned struct {
	configuration
	stack plan.Stack
	plan  *plan.Plan
}

func planAll(t *testing.T) []planned {
	dir := testfixture.ProjectWithExtras(t)
	var out []planned
	for _, c := range configurations(t, dir) {
		stack, err := plan.LoadStack(dir, c.stack)
		require.NoError(t, err)
		setOver(&stack, c.set)
		var refs map[string]map[string]any
		if ref := stack.Config["log-archive:destinationStack"]; ref != "" {
			archive, err := plan.LoadStack(dir, ref[strings.LastIndex(ref, "/")+1:])
			require.NoError(t, err)
			setOver(&archive, c.archiveSet)
			dest, err := plan.Run(archive, program.Program, nil)
			require.NoError(t, err)
			refs = map[string]map[string]any{ref: dest.Outputs}
		}
		p, err := plan.Run(stack, program.Program, refs)
		require.NoError(t, err, c.name)
		out = append(out, planned{configuration: c, stack: stack, plan: p})
	}
	return out
}

// Every resource type the program registers, in every configuration it has, appears in every facet of
// the catalogue it needs: replace-on-change inputs, identity, the AWS object it names, deployer actions (and the deployer policy
// generates), and the policy input of every input that holds a policy document. Every catalogued type is
// registered by some configuration, so the catalogue holds no dead entry either.
func TestCatalogue_CoversEveryTypeInEveryConfiguration(t *testing.T) {
	registered := map[catalog.Type]bool{}
	for _, c := range planAll(t) {
		t.Run(c.name, func(t *testing.T) {
			for _, s := range c.plan.Creates() {
				if !s.NewState.Custom || s.Op != "create" {
					continue
				}
				typ := catalog.Type(s.NewState.Type)
				registered[typ] = true
				info, ok := catalog.Of(typ)
				if !assert.True(t, ok, "%s (%s) has no catalogue entry", typ, s.Name()) {
					continue
				}
				assert.NotNil(t, info.ReplaceOnChange, "%s: list its replace-on-change inputs (empty when none)", typ)
				assert.NotNil(t, info.Identity.ID, "%s: say what ID AWS gives it", typ)
				assert.NotEmpty(t, info.Names.Object, "%s: say which AWS object it names (Names)", typ)
				if typ != catalog.AWSProvider {
					assert.NotNil(t, info.Deployer, "%s: list the actions its deployer needs", typ)
				}
				for k, v := range s.NewState.Inputs {
					if doc, ok := v.(string); ok && strings.HasPrefix(doc, `{"Version":`) {
						if assert.NotNil(t, info.Policy, "%s: input %s holds a policy document: name it and its limit", typ, k) {
							assert.Equal(t, k, info.Policy.Input, typ)
						}
					}
				}
			}
			_, err := deployer.Generate(c.stack, c.plan)
			assert.NoError(t, err, "the deployer policy of %s", c.name)
		})
	}
	for _, typ := range catalog.Types() {
		assert.True(t, registered[typ], "no configuration registers %s: add one, or drop the entry", typ)
	}
}

// The catalogue's facets are well formed: replace-on-change inputs are Pulumi input names, policy inputs
// have a limit, and the identity of every type answers with the stack's partition, Region and account.
func TestCatalogue_Entries(t *testing.T) {
	at := catalog.Location{Partition: "aws-cn", Region: "cn-north-1", Account: "123456789012"}
	unique := strings.Repeat("0123456789abcdef", 4)
	for _, typ := range catalog.Types() {
		info, _ := catalog.Of(typ)
		for _, k := range info.ReplaceOnChange {
			assert.Regexp(t, `^[a-z][A-Za-z0-9]*$`, k, typ)
		}
		if len(info.Names.Inputs) > 0 {
			assert.Contains(t, []catalog.NameScope{catalog.ScopeGlobal, catalog.ScopeAccount, catalog.ScopeRegion}, info.Names.Scope, "%s: where is its name unique?", typ)
		} else {
			assert.Empty(t, info.Names.Scope, "%s: a scope without the inputs that name it", typ)
		}
		if info.Policy != nil {
			assert.Positive(t, info.Policy.Limit, typ)
			assert.NotEmpty(t, info.Policy.Label, typ)
		}
		in := catalog.Inputs{"name": "n", "bucket": "b", "role": "r", "policyArn": "p", "arn": "a", "region": "cn-north-1", "dashboardName": "d", "sinkIdentifier": "s"}
		id := catalog.NewID(typ, at, in, "res", unique)
		assert.NotEmpty(t, id, typ)
		for k, v := range catalog.Outputs(typ, at, id, in) {
			if s, ok := v.(string); ok && strings.HasPrefix(s, "arn:") {
				assert.True(t, strings.HasPrefix(s, "arn:aws-cn:"), "%s output %s = %s: the stack's partition", typ, k, s)
				assert.NotContains(t, s, "us-east-1", "%s output %s", typ, k)
			}
		}
	}
}

// The review diff and the fake provider read one list: a change to an input the catalogue marks forces a
// replacement, and another input does not; and the permissions boundary is one an existing role gains in
// place.
func TestReplacedBy(t *testing.T) {
	tests := []struct {
		typ     catalog.Type
		changed []string
		want    []string
	}{
		{catalog.S3Bucket, []string{"tags", "bucket"}, []string{"bucket"}},
		{catalog.S3BucketObjectLock, []string{"objectLockEnabled", "rule"}, []string{"objectLockEnabled"}},
		{catalog.SNSTopic, []string{"name", "policy"}, []string{"name"}},
		{catalog.CloudWatchMetricAlarm, []string{"name", "threshold"}, []string{"name"}},
		{catalog.IAMRole, []string{"permissionsBoundary", "assumeRolePolicy", "tags"}, nil},
		{catalog.IAMRole, []string{"path"}, []string{"path"}},
		{catalog.Type("aws:sqs/queue:Queue"), []string{"name"}, nil},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, catalog.ReplacedBy(tt.typ, tt.changed), "%s %v", tt.typ, tt.changed)
	}
}

// Policy documents in the plan are the catalogue's: a plan's Policies() reports each with its label and
// limit, read from the catalogue.
func TestCatalogue_PolicyInputsAreThePlans(t *testing.T) {
	p, err := plan.PlanStack(testfixture.Project(t), "destination", program.Program)
	require.NoError(t, err)
	seen := map[string]bool{}
	for _, pol := range p.Policies() {
		info, _ := catalog.Of(catalog.Type(pol.Type))
		require.NotNil(t, info.Policy, pol.Type)
		assert.Equal(t, info.Policy.Limit, pol.Limit, pol.Type)
		assert.Equal(t, info.Policy.Label, pol.Label, pol.Type)
		var doc map[string]any
		assert.NoError(t, json.Unmarshal([]byte(pol.Document), &doc))
		seen[pol.Type] = true
	}
	assert.True(t, seen[string(catalog.KMSKey)] && seen[string(catalog.S3BucketPolicy)], "the archive's key and bucket policies")
}
