-- Remove the customer_balance.sql prototype from the benchmark database.
DROP TABLE IF EXISTS bench_customer_balance, bench_overdue_as_of CASCADE;
DROP FUNCTION IF EXISTS bench_cb_ins, bench_cb_upd, bench_cb_del, bench_cb_customer_ins,
    bench_cb_roll_overdue CASCADE;
