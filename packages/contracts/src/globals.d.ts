// The two globals the codec needs that every runtime it targets has (browsers, Node 16+), declared
// here instead of pulling in the DOM or Node typings, which would let either leak into contracts.
declare function btoa(data: string): string;
declare function atob(data: string): string;
