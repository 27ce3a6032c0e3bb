/* placeholder: replaced by the data generator */
int main(void) { return 0; }
