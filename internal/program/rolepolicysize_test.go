package program_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The role policy's size is checked as AWS counts it, with a distinct key per log bucket: every stack whose
// whole role policy fits sends it inline, within IAM's 10,240 characters, and the first one past that sends
// managed policies instead (each within 6,144), exactly when one more bucket's grants would have passed
// the inline limit.
func TestSource_RolePolicySizeCheckCountsEveryLogBucketsKey(t *testing.T) {
	archive := archiveOutputs(t, destinationConfig())
	cfg := func(n int) map[string]string {
		var entries []string
		for i := range n {
			entries = append(entries, fmt.Sprintf(`{"name": "acme-workload-logs-%02d", "services": ["vpc-flow-logs"]}`, i))
		}
		return with(sourceConfig(), "log-archive:logBuckets", "["+strings.Join(entries, ",")+"]")
	}
	inline := map[int]int{} // log buckets -> bytes of the whole inline policy sent
	firstManaged := 0
	for n := 30; n <= 60 && firstManaged == 0; n++ {
		p, err := runStack(t, "workload-a", cfg(n), archive)
		require.NoError(t, err, "n=%d", n)
		for _, pol := range p.Policies() {
			require.LessOrEqual(t, pol.Bytes(), pol.Limit, "n=%d: %s is %d bytes", n, pol.Resource, pol.Bytes())
		}
		if len(p.OfType("aws:iam/policy:Policy")) > 0 {
			firstManaged = n
			continue
		}
		inline[n] = len(mustStep(t, p, tRolePolicy, "source-role-policy").NewState.Inputs["policy"].(string))
	}
	last := firstManaged - 1
	require.Contains(t, inline, last, "some log buckets fit inline")
	require.Contains(t, inline, last-1)
	perBucket := inline[last] - inline[last-1]
	assert.Greater(t, inline[last]+perBucket, 10240, "one more log bucket would have passed the inline limit, so managed policies start exactly there")
}
