-- POSTs one JSON-RPC tools/call (get_figure) to /mcp; counts answers other than 200.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Accept"] = "application/json, text/event-stream"
wrk.body = '{"jsonrpc":"2.0","id":1,"method":"tools/call","params":'
  .. '{"name":"get_figure","arguments":{"id":"met-2013.officers.written-warning"}}}'
unexpected = 0

response = function(status, headers, body)
  if status ~= 200 then unexpected = unexpected + 1 end
end
