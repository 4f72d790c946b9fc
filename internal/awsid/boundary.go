package awsid

import "fmt"

// Every IAM role the program creates has the customer managed policy log-archive-role-boundary, at path
// /log-archive/ in the role's account, as its permissions boundary (D8, D9). The program never creates or
// changes that policy: a deployer allowed to would escape it. The bootstrap or an administrator creates it
// from internal/deployer's RoleBoundaryPolicy (`go run ./cmd/plan deployer-policy --boundary`), and the
// deployer policy refuses any role without it and any change to it.
const (
	RoleBoundaryName = "log-archive-role-boundary"
	RoleBoundaryPath = "/log-archive/"
)

// RoleBoundaryArn is the ARN of the role boundary policy in account, in the partition of region.
func RoleBoundaryArn(region, account string) string {
	return RoleBoundaryArnIn(ARNsFor(region).Partition, account)
}

// RoleBoundaryArnIn is RoleBoundaryArn for a partition, which may be a placeholder such as
// ${AWS::Partition}.
func RoleBoundaryArnIn(partition, account string) string {
	return fmt.Sprintf("arn:%s:iam::%s:policy%s%s", partition, account, RoleBoundaryPath, RoleBoundaryName)
}
