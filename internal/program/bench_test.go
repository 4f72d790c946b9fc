package program_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// BenchmarkDestinationProgram runs the whole archive program under the mock monitor with 10, 100 and 500
// source accounts and reports the size of both policies, which is what limits scale (R2.9, R3.5).
//
//	go test -run '^$' -bench DestinationProgram -benchmem ./internal/program/
func BenchmarkDestinationProgram(b *testing.B) {
	for _, n := range []int{10, 100, 500} {
		b.Run(fmt.Sprintf("sources=%d", n), func(b *testing.B) {
			cfg := with(destinationConfig(), "log-archive:sourceAccountIds", accountList(n))
			var bucketBytes, keyBytes int
			for b.Loop() {
				p, err := runStack(b, "destination", cfg, nil)
				require.NoError(b, err)
				for _, pol := range p.Policies() {
					switch pol.Resource {
					case "archive-policy":
						bucketBytes = pol.Bytes()
					case "archive-key":
						keyBytes = pol.Bytes()
					}
				}
			}
			b.ReportMetric(float64(bucketBytes), "bucket-policy-bytes")
			b.ReportMetric(float64(keyBytes), "key-policy-bytes")
		})
	}
}

// BenchmarkSourceProgram runs a source stack with its archive contract read through the StackReference.
func BenchmarkSourceProgram(b *testing.B) {
	refs := archiveOutputs(b, destinationConfig())
	for b.Loop() {
		_, err := runStack(b, "workload-a", sourceConfig(), refs)
		require.NoError(b, err)
	}
}

// BenchmarkSourceProgramWithLogBuckets adds log buckets for all three services: each is a key, a bucket
// and six more resources, and a key ARN the role policy waits for.
func BenchmarkSourceProgramWithLogBuckets(b *testing.B) {
	refs := archiveOutputs(b, destinationConfig())
	for _, n := range []int{1, 10} {
		var entries []string
		for i := range n {
			entries = append(entries, fmt.Sprintf(`{"name": "acme-a-logs-%d", "services": ["guardduty", "cloudtrail", "vpc-flow-logs"],
				"guardDutyDetectorId": "%s", "trailNames": ["management-events"]}`, i, detector))
		}
		cfg := with(sourceConfig(), "log-archive:logBuckets", "["+strings.Join(entries, ",")+"]")
		b.Run(fmt.Sprintf("log-buckets=%d", n), func(b *testing.B) {
			var rolePolicyBytes int
			for b.Loop() {
				p, err := runStack(b, "workload-a", cfg, refs)
				require.NoError(b, err)
				rolePolicyBytes = len(mustStep(b, p, tRolePolicy, "source-role-policy").NewState.Inputs["policy"].(string))
			}
			b.ReportMetric(float64(rolePolicyBytes), "role-policy-bytes")
		})
	}
}
