// log-archive replicates log buckets from many AWS accounts into one archive account. The stack file
// (Pulumi.<stack>.yaml) says whether a stack is the archive ("destination") or a source account.
package main

import (
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"log-archive/internal/program"
)

func main() {
	pulumi.Run(program.Run)
}
