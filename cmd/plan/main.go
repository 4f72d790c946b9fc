package main
import ("fmt";"encoding/json";"os";"log-archive/internal/plan";"log-archive/internal/program")
func main(){ p, err := plan.PlanStack(".", os.Args[1], program.Program); if err!=nil{fmt.Println("ERR:",err)}; if p!=nil{b,_:=json.MarshalIndent(p,"","  ");fmt.Println(string(b))}}
