//go:build engine

package enginetest

import (
	"encoding/json"
	"regexp"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/apitype"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Through the real CLI and engine: an archive that switches from its listed accounts to an
// organization in place (two policy updates, nothing replaced), then a member account it does not list
// deploys its source stack, with buckets in two Regions, without another archive deploy.
func TestEngine_OrganizationArchiveAndASourceInTwoRegions(t *testing.T) {
	ctx := t.Context()
	env := NewEnv(t)
	dst := env.Stack(ctx, "destination")
	env.Up(ctx, dst)

	env.Edit("Pulumi.destination.yaml", func(s string) string {
		s = regexp.MustCompile(`(?m)^  log-archive:sourceAccountIds:\n(    - .*\n)*`).ReplaceAllString(s, "")
		// After config:, not at the end: stack init appended encryptionsalt, a top-level key.
		return strings.Replace(s, "config:\n", "config:\n  log-archive:sourceOrganization:\n    id: o-a1b2c3d4e5\n", 1)
	})
	preview := env.Preview(ctx, dst)
	assert.Equal(t, 2, preview.ChangeSummary[apitype.OpUpdate], "the bucket and key policies: %v", preview.ChangeSummary)
	for _, op := range []apitype.OpType{apitype.OpCreate, apitype.OpDelete, apitype.OpReplace} {
		assert.Zero(t, preview.ChangeSummary[op], "%s: %v", op, preview.ChangeSummary)
	}
	up := env.Up(ctx, dst)
	assert.Equal(t, "o-a1b2c3d4e5", up.Outputs["sourceOrganizationId"].Value)
	assert.Equal(t, []any{}, up.Outputs["sourceAccountIds"].Value, "222222222222 is no longer listed")
	policy := Find(env.Records(), "aws:s3/bucketPolicy:BucketPolicy", "acme-log-archive-eu-west-1")
	require.NotNil(t, policy)
	doc, _ := json.Marshal(policy.Inputs["policy"])
	assert.Contains(t, string(doc), `aws:PrincipalOrgID`)

	env.Edit("Pulumi.source.yaml", func(s string) string {
		return strings.Replace(s, "      trailNames: [workload-a-management-events]\n", "      trailNames: [workload-a-management-events]\n"+
			"    - name: acme-workload-a-logs-eu-central-1\n      region: eu-central-1\n      services: [vpc-flow-logs]\n", 1)
	})
	srcUp := env.Up(ctx, env.Stack(ctx, "source"))
	assert.Equal(t, "eu-central-1", srcUp.Outputs["bucketRegions"].Value.(map[string]any)["acme-workload-a-logs-eu-central-1"])
	assert.Contains(t, srcUp.StdOut+srcUp.StdErr, "the archive admits organization o-a1b2c3d4e5, not account 222222222222 by name",
		"the stack says what it cannot check")
	regions := map[string]bool{}
	for _, r := range OfStack(env.Records(), "source") {
		if r.Type == typeBucket || r.Type == "aws:s3/bucketReplicationConfig:BucketReplicationConfig" {
			regions[r.Region] = true
		}
	}
	assert.Equal(t, map[string]bool{"eu-west-1": true, "eu-central-1": true}, regions, "buckets and rules in both Regions")
}
