//go:build engine

package enginetest

import (
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/apitype"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The fallback of docs/public-access.md through the real CLI and engine (R2.13): the CLI accepts the new
// key as Pulumi.yaml declares it; switching a deployed archive to account principals updates its two
// policies in place and nothing else; its source stack needs no change; and the mode beside an
// organization is refused with nothing changed.
func TestEngine_ArchiveSwitchesToAccountPrincipalsInPlace(t *testing.T) {
	ctx := t.Context()
	env := NewEnv(t)
	dst := env.Stack(ctx, "destination")
	env.Up(ctx, dst)
	src := env.Stack(ctx, "source")
	env.Up(ctx, src)

	env.Edit("Pulumi.destination.yaml", func(s string) string {
		// After config:, not at the end: stack init appended encryptionsalt, a top-level key.
		return strings.Replace(s, "config:\n", "config:\n  log-archive:sourcePrincipals: accountPrincipals\n", 1)
	})
	preview := env.Preview(ctx, dst)
	assert.Equal(t, 2, preview.ChangeSummary[apitype.OpUpdate], "the bucket and key policies: %v", preview.ChangeSummary)
	for _, op := range []apitype.OpType{apitype.OpCreate, apitype.OpDelete, apitype.OpReplace} {
		assert.Zero(t, preview.ChangeSummary[op], "%s: %v", op, preview.ChangeSummary)
	}
	env.Up(ctx, dst)

	roots := `"Principal":{"AWS":["arn:aws:iam::222222222222:root","arn:aws:iam::333333333333:root"]}`
	policy := Find(env.Records(), "aws:s3/bucketPolicy:BucketPolicy", "acme-log-archive-eu-west-1")
	require.NotNil(t, policy)
	doc, ok := policy.Inputs["policy"].(string)
	require.True(t, ok, "the policy input is the document as sent: %v", policy.Inputs)
	assert.Contains(t, doc, roots)
	assert.NotContains(t, doc, "aws:PrincipalAccount")
	var keys int
	for _, r := range OfStack(env.Records(), "destination") {
		if r.Type == "aws:kms/key:Key" {
			keys++
			kd, _ := r.Inputs["policy"].(string)
			assert.Contains(t, kd, roots)
			assert.NotContains(t, kd, "kms:CallerAccount")
		}
	}
	assert.Equal(t, 1, keys)

	srcPreview := env.Preview(ctx, src)
	assert.Equal(t, map[apitype.OpType]int{apitype.OpSame: srcPreview.ChangeSummary[apitype.OpSame]}, srcPreview.ChangeSummary,
		"the source stack needs no change")

	before := recordsJSON(OfStack(env.Records(), "destination"))
	env.Edit("Pulumi.destination.yaml", func(s string) string {
		return strings.Replace(s, "config:\n", "config:\n  log-archive:sourceOrganization:\n    id: o-a1b2c3d4e5\n", 1)
	})
	_, err := env.TryUp(ctx, dst)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "accountPrincipals cannot be combined with a source organization")
	assert.Equal(t, before, recordsJSON(OfStack(env.Records(), "destination")), "the refused update changed nothing")
}
