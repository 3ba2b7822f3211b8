"""Generated from MYOB's type catalogue (``specs/myob/myob-sdk-contracts.json``) by
``tests/contract_checks/myob_fields.py``: do not edit.

``TYPES``: every class reachable from the entities the sandbox serves, as ``Name:shape`` words. A shape is a scalar
kind (``str guid dec int bool dt uri``), ``enum=Key`` or ``object=Key``, prefixed ``[]`` for a JSON array.
``ENUMS``: each enum's member names (enums travel as names). :mod:`.strict` and :mod:`.render` read them.
"""

from __future__ import annotations

#: Route -> the catalogue type of its records.
ROUTE_TYPES: dict[str, str] = {
    "Contact": "Contact.Contact",
    "Contact/Customer": "Contact.Customer",
    "Contact/Supplier": "Contact.Supplier",
    "GeneralLedger/Account": "GeneralLedger.Account",
    "GeneralLedger/TaxCode": "GeneralLedger.TaxCode",
    "Company/Preferences": "Company.CompanyPreferences",
    "GeneralLedger/AccountingProperties": "GeneralLedger.AccountingProperties",
    "Inventory/Item": "Inventory.Item",
    "Sale/Invoice": "Sale.Invoice",
    "Sale/Invoice/Service": "Sale.ServiceInvoice",
    "Sale/Invoice/Item": "Sale.ItemInvoice",
    "Sale/Order": "Sale.Order",
    "Sale/Order/Service": "Sale.ServiceOrder",
    "Sale/CustomerPayment": "Sale.CustomerPayment",
    "Sale/CreditSettlement": "Sale.CreditSettlement",
    "Sale/CreditRefund": "Sale.CreditRefund",
    "Purchase/Bill": "Purchase.Bill",
    "Purchase/Bill/Service": "Purchase.ServiceBill",
    "Purchase/Bill/Item": "Purchase.ItemBill",
    "Purchase/SupplierPayment": "Purchase.SupplierPayment",
    "Purchase/DebitSettlement": "Purchase.DebitSettlement",
    "Purchase/DebitRefund": "Purchase.DebitRefund",
}

TYPES: dict[str, str] = {
    "Company.CompanyBankingPreferences": (
        "PreferToReceiveMoneyIntoUndepositedFunds:bool"
    ),
    "Company.CompanyPreferences": (
        "System:object=Company.CompanySystemPreferences "
        "ReportsAndForms:object=Company.CompanyReportsAndFormsPreferences "
        "Banking:object=Company.CompanyBankingPreferences Sales:object=Company.CompanySalesPreferences "
        "Purchases:object=Company.CompanyPurchasesPreferences "
        "Timesheets:object=Company.CompanyTimesheetPreferences RowVersion:str"
    ),
    "Company.CompanyPurchasesPreferences": (
        "Terms:object=Company.CompanyPurchasesPreferencesTerms"
    ),
    "Company.CompanyPurchasesPreferencesTerms": (
        "PaymentIsDue:enum=TermsPaymentType DiscountDate:int BalanceDueDate:int DiscountForEarlyPayment:dec "
        "TaxCode:object=GeneralLedger.TaxCodeLink UseSupplierTaxCode:bool "
        "FreightTaxCode:object=GeneralLedger.TaxCodeLink CreditLimit:dec"
    ),
    "Company.CompanyReportsAndFormsEmailDefaults": (
        "Sales:object=Company.EmailDefaultsSales Purchases:object=Company.EmailDefaultsPurchases "
        "PaySlips:object=Company.EmailDefaultsTemplateBase"
    ),
    "Company.CompanyReportsAndFormsPreferences": (
        "ReportTaxablePayments:bool EmailDefaults:object=Company.CompanyReportsAndFormsEmailDefaults"
    ),
    "Company.CompanySalesPreferences": (
        "Terms:object=Company.CompanySalesPreferencesTerms"
    ),
    "Company.CompanySalesPreferencesTerms": (
        "PaymentIsDue:enum=TermsPaymentType DiscountDate:int BalanceDueDate:int DiscountForEarlyPayment:dec "
        "MonthlyChargeForLatePayment:dec PriceLevel:enum=Company.PriceLevel "
        "TaxCode:object=GeneralLedger.TaxCodeLink UseCustomerTaxCode:bool "
        "FreightTaxCode:object=GeneralLedger.TaxCodeLink CreditLimit:dec"
    ),
    "Company.CompanySystemPreferences": (
        "CategoryTracking:enum=Company.CategoryTracking TransactionsCannotBeChangedMustBeReversed:bool "
        "LockPeriodPriorTo:dt UseAlphaAccountIdentifier:bool"
    ),
    "Company.CompanyTimesheetPreferences": (
        "UseTimesheetsFor:enum=Company.TimesheetPreferenceUsage WeekStartsOn:str"
    ),
    "Company.EmailDefaultsPurchases": (
        "Bill:object=Company.EmailDefaultsTemplate Order:object=Company.EmailDefaultsTemplate "
        "Quote:object=Company.EmailDefaultsTemplate"
    ),
    "Company.EmailDefaultsSales": (
        "Invoice:object=Company.EmailDefaultsTemplate Order:object=Company.EmailDefaultsTemplate "
        "Quote:object=Company.EmailDefaultsTemplate"
    ),
    "Company.EmailDefaultsTemplate": (
        "Subject:str Message:str IncludeNumberInSubject:bool"
    ),
    "Company.EmailDefaultsTemplateBase": (
        "Subject:str Message:str"
    ),
    "CompanyFile": (
        "Id:guid Name:str LibraryPath:str ProductVersion:str ProductLevel:object=ProductLevel Uri:uri "
        "LauncherId:guid SerialNumber:str Country:str UIAccessFlags:int Subscription:object=Subscription"
    ),
    "Contact.Address": (
        "Location:int Street:str City:str State:str PostCode:str Country:str Phone1:str Phone2:str Phone3:str "
        "Fax:str Email:str Website:str ContactName:str Salutation:str"
    ),
    "Contact.CardLink": (
        "UID:guid URI:uri Name:str DisplayID:str"
    ),
    "Contact.Contact": (
        "UID:guid URI:uri RowVersion:str Created:dt LastModified:dt CompanyName:str LastName:str FirstName:str "
        "IsIndividual:bool DisplayID:str IsActive:bool Notes:str Tags:str CurrentBalance:dec "
        "Addresses:[]object=Contact.Address Identifiers:[]object=Identifier CustomList1:object=Identifier "
        "CustomList2:object=Identifier CustomList3:object=Identifier CustomField1:object=Identifier "
        "CustomField2:object=Identifier CustomField3:object=Identifier Type:enum=Contact.ContactType PhotoURI:uri"
    ),
    "Contact.Customer": (
        "UID:guid URI:uri RowVersion:str Created:dt LastModified:dt CompanyName:str LastName:str FirstName:str "
        "IsIndividual:bool DisplayID:str IsActive:bool Notes:str Tags:str CurrentBalance:dec "
        "Addresses:[]object=Contact.Address Identifiers:[]object=Identifier CustomList1:object=Identifier "
        "CustomList2:object=Identifier CustomList3:object=Identifier CustomField1:object=Identifier "
        "CustomField2:object=Identifier CustomField3:object=Identifier Type:enum=Contact.ContactType PhotoURI:uri "
        "SellingDetails:object=Contact.CustomerSellingDetails "
        "PaymentDetails:object=Contact.CustomerPaymentDetails ForeignCurrency:object=GeneralLedger.CurrencyLink"
    ),
    "Contact.CustomerCredit": (
        "Limit:dec Available:dec PastDue:dec OnHold:bool"
    ),
    "Contact.CustomerLink": (
        "UID:guid URI:uri Name:str DisplayID:str"
    ),
    "Contact.CustomerPaymentDetails": (
        "Method:str CardNumber:str NameOnCard:str BSBNumber:str BankAccountNumber:str BankAccountName:str "
        "Notes:str"
    ),
    "Contact.CustomerSellingDetails": (
        "SaleLayout:enum=Sale.InvoiceLayoutType InvoiceDelivery:enum=Sale.DocumentAction PrintedForm:str "
        "ItemPriceLevel:str IncomeAccount:object=GeneralLedger.AccountLink ReceiptMemo:str "
        "SalesPerson:object=Contact.EmployeeLink SaleComment:str ShippingMethod:str HourlyBillingRate:dec ABN:str "
        "ABNBranch:str TaxCode:object=GeneralLedger.TaxCodeLink FreightTaxCode:object=GeneralLedger.TaxCodeLink "
        "UseCustomerTaxCode:bool Terms:object=Contact.CustomerTerms Credit:object=Contact.CustomerCredit "
        "TaxIdNumber:str Memo:str"
    ),
    "Contact.CustomerTerms": (
        "PaymentIsDue:enum=TermsPaymentType DiscountDate:int BalanceDueDate:int DiscountForEarlyPayment:dec "
        "MonthlyChargeForLatePayment:dec VolumeDiscount:dec"
    ),
    "Contact.EmployeeLink": (
        "UID:guid URI:uri Name:str DisplayID:str"
    ),
    "Contact.Supplier": (
        "UID:guid URI:uri RowVersion:str Created:dt LastModified:dt CompanyName:str LastName:str FirstName:str "
        "IsIndividual:bool DisplayID:str IsActive:bool Notes:str Tags:str CurrentBalance:dec "
        "Addresses:[]object=Contact.Address Identifiers:[]object=Identifier CustomList1:object=Identifier "
        "CustomList2:object=Identifier CustomList3:object=Identifier CustomField1:object=Identifier "
        "CustomField2:object=Identifier CustomField3:object=Identifier Type:enum=Contact.ContactType PhotoURI:uri "
        "BuyingDetails:object=Contact.SupplierBuyingDetails PaymentDetails:object=Contact.SupplierPaymentDetails "
        "ForeignCurrency:object=GeneralLedger.CurrencyLink"
    ),
    "Contact.SupplierBuyingDetails": (
        "PurchaseLayout:enum=Contact.PurchaseLayoutType PrintedForm:str "
        "PurchaseOrderDelivery:enum=Sale.DocumentAction ExpenseAccount:object=GeneralLedger.AccountLink "
        "PaymentMemo:str PurchaseComment:str SupplierBillingRate:dec ShippingMethod:str IsReportable:bool "
        "CostPerHour:dec Credit:object=Contact.SupplierCredit ABN:str ABNBranch:str TaxIdNumber:str "
        "TaxCode:object=GeneralLedger.TaxCodeLink FreightTaxCode:object=GeneralLedger.TaxCodeLink "
        "UseSupplierTaxCode:bool Terms:object=Contact.SupplierTerms"
    ),
    "Contact.SupplierCredit": (
        "Limit:dec Available:dec PastDue:dec"
    ),
    "Contact.SupplierLink": (
        "UID:guid URI:uri Name:str DisplayID:str"
    ),
    "Contact.SupplierPaymentDetails": (
        "BSBNumber:str BankAccountNumber:str BankAccountName:str StatementText:str StatementCode:str "
        "StatementReference:str Refund:object=Contact.SupplierRefundDetails"
    ),
    "Contact.SupplierRefundDetails": (
        "PaymentMethod:str CardNumber:str NameOnCard:str Notes:str"
    ),
    "Contact.SupplierTerms": (
        "PaymentIsDue:enum=TermsPaymentType DiscountDate:int BalanceDueDate:int DiscountForEarlyPayment:dec "
        "VolumeDiscount:dec"
    ),
    "GeneralLedger.Account": (
        "UID:guid URI:uri RowVersion:str Created:dt LastModified:dt "
        "ForeignCurrency:object=GeneralLedger.CurrencyLink CurrencyExchangeRate:dec DisplayID:str Name:str "
        "Classification:enum=GeneralLedger.Classification Number:int Description:str "
        "ParentAccount:object=GeneralLedger.AccountLink IsActive:bool TaxCode:object=GeneralLedger.TaxCodeLink "
        "Level:int Type:enum=GeneralLedger.AccountType OpeningBalance:dec CurrentBalance:dec "
        "BankingDetails:object=GeneralLedger.BankingDetails IsHeader:bool"
    ),
    "GeneralLedger.AccountLink": (
        "UID:guid URI:uri Name:str DisplayID:str"
    ),
    "GeneralLedger.AccountingProperties": (
        "ConversionDate:dt CurrentFinancialYear:int LastMonthFinancialYear:int"
    ),
    "GeneralLedger.BankingDetails": (
        "BSBNumber:str BankAccountNumber:str BankAccountName:str CompanyTradingName:str BankCode:str "
        "CreateBankFiles:bool DirectEntryUserId:str IncludeSelfBalancingTransaction:bool StatementCode:str "
        "StatementReference:str StatementParticulars:str"
    ),
    "GeneralLedger.CategoryLink": (
        "UID:guid URI:uri DisplayID:str Name:str"
    ),
    "GeneralLedger.CurrencyLink": (
        "UID:guid URI:uri Code:str Name:str"
    ),
    "GeneralLedger.JobLink": (
        "UID:guid URI:uri Number:str Name:str"
    ),
    "GeneralLedger.TaxCode": (
        "UID:guid URI:uri RowVersion:str Created:dt LastModified:dt Code:str Description:str "
        "Type:enum=GeneralLedger.TaxCodeType Rate:dec IsRateNegative:bool "
        "TaxCollectedAccount:object=GeneralLedger.AccountLink TaxPaidAccount:object=GeneralLedger.AccountLink "
        "WithholdingCreditAccount:object=GeneralLedger.AccountLink "
        "WithholdingPayableAccount:object=GeneralLedger.AccountLink "
        "ImportDutyPayableAccount:object=GeneralLedger.AccountLink LinkedSupplier:object=Contact.SupplierLink "
        "LuxuryCarTaxThreshold:dec"
    ),
    "GeneralLedger.TaxCodeLink": (
        "UID:guid URI:uri Code:str"
    ),
    "Identifier": (
        "Label:str Value:str"
    ),
    "Inventory.BillOfMaterials": (
        "Quantity:dec Items:[]object=Inventory.BillOfMaterialsItem"
    ),
    "Inventory.BillOfMaterialsItem": (
        "Quantity:dec Item:object=Inventory.ItemLink"
    ),
    "Inventory.Item": (
        "UID:guid URI:uri RowVersion:str Created:dt LastModified:dt Number:str Name:str IsActive:bool "
        "Description:str UseDescription:bool CustomList1:object=Identifier CustomList2:object=Identifier "
        "CustomList3:object=Identifier CustomField1:object=Identifier CustomField2:object=Identifier "
        "CustomField3:object=Identifier QuantityOnHand:dec QuantityCommitted:dec QuantityOnOrder:dec "
        "QuantityAvailable:dec AverageCost:dec CurrentValue:dec BaseSellingPrice:dec IsBought:bool IsSold:bool "
        "IsInventoried:bool ExpenseAccount:object=GeneralLedger.AccountLink "
        "CostOfSalesAccount:object=GeneralLedger.AccountLink IncomeAccount:object=GeneralLedger.AccountLink "
        "AssetAccount:object=GeneralLedger.AccountLink BuyingDetails:object=Inventory.ItemBuyingDetails "
        "SellingDetails:object=Inventory.ItemSellingDetails PhotoURI:uri "
        "LocationDetails:[]object=Inventory.ItemLocationDetail DefaultSellLocation:object=Inventory.LocationLink "
        "DefaultReceiveLocation:object=Inventory.LocationLink BillOfMaterials:object=Inventory.BillOfMaterials"
    ),
    "Inventory.ItemBuyingDetails": (
        "LastPurchasePrice:dec StandardCost:dec StandardCostTaxInclusive:bool BuyingUnitOfMeasure:str "
        "ItemsPerBuyingUnit:dec TaxCode:object=GeneralLedger.TaxCodeLink "
        "RestockingInformation:object=Inventory.RestockingInformation"
    ),
    "Inventory.ItemLink": (
        "UID:guid URI:uri Number:str Name:str"
    ),
    "Inventory.ItemLocationDetail": (
        "Location:object=Inventory.LocationLink QuantityOnHand:dec"
    ),
    "Inventory.ItemSellingDetails": (
        "BaseSellingPrice:dec SellingUnitOfMeasure:str ItemsPerSellingUnit:dec "
        "TaxCode:object=GeneralLedger.TaxCodeLink IsTaxInclusive:bool "
        "CalculateSalesTaxOn:enum=Inventory.CalculateSalesTaxOn PriceMatrixURI:uri"
    ),
    "Inventory.LocationLink": (
        "UID:guid URI:uri Identifier:str Name:str"
    ),
    "Inventory.RestockingInformation": (
        "MinimumLevelForRestockingAlert:dec Supplier:object=Contact.SupplierLink SupplierItemNumber:str "
        "DefaultOrderQuantity:dec"
    ),
    "ProductLevel": (
        "Code:int"
    ),
    "Purchase.Bill": (
        "UID:guid URI:uri RowVersion:str Created:dt LastModified:dt "
        "ForeignCurrency:object=GeneralLedger.CurrencyLink CurrencyExchangeRate:dec Number:str Date:dt "
        "SupplierInvoiceNumber:str Supplier:object=Contact.SupplierLink ShipToAddress:str "
        "Terms:object=Sale.InvoiceTerms IsTaxInclusive:bool IsReportable:bool Subtotal:dec SubtotalForeign:dec "
        "TotalTax:dec TotalTaxForeign:dec TotalAmount:dec TotalAmountForeign:dec Comment:str ShippingMethod:str "
        "PromisedDate:dt JournalMemo:str BillDeliveryStatus:enum=Sale.DocumentAction AppliedToDate:dec "
        "AppliedToDateForeign:dec BalanceDueAmount:dec BalanceDueAmountForeign:dec "
        "Status:enum=Purchase.PurchaseStatus LastPaymentDate:dt BillType:enum=Purchase.BillType "
        "Category:object=GeneralLedger.CategoryLink Freight:dec FreightForeign:dec "
        "FreightTaxCode:object=GeneralLedger.TaxCodeLink Order:object=Purchase.PurchaseOrderLink"
    ),
    "Purchase.BillLink": (
        "UID:guid URI:uri Number:str"
    ),
    "Purchase.DebitRefund": (
        "UID:guid URI:uri RowVersion:str Created:dt LastModified:dt DepositTo:enum=Sale.DepositTo "
        "Account:object=GeneralLedger.AccountLink Bill:object=Purchase.BillLink "
        "Supplier:object=Contact.SupplierLink Number:str Date:dt Amount:dec "
        "ForeignCurrency:object=GeneralLedger.CurrencyLink Memo:str PaymentMethod:str"
    ),
    "Purchase.DebitSettlement": (
        "UID:guid URI:uri RowVersion:str Created:dt LastModified:dt DebitFromBill:object=Purchase.BillLink "
        "Supplier:object=Contact.SupplierLink Number:str Date:dt DebitAmount:dec Memo:str "
        "Lines:[]object=Purchase.DebitSettlementLine ForeignCurrency:object=GeneralLedger.CurrencyLink"
    ),
    "Purchase.DebitSettlementLine": (
        "Type:enum=Purchase.DebitSettlementLineType Purchase:object=Purchase.PurchaseLink AmountApplied:dec"
    ),
    "Purchase.ItemBill": (
        "UID:guid URI:uri RowVersion:str Created:dt LastModified:dt "
        "ForeignCurrency:object=GeneralLedger.CurrencyLink CurrencyExchangeRate:dec Number:str Date:dt "
        "SupplierInvoiceNumber:str Supplier:object=Contact.SupplierLink ShipToAddress:str "
        "Terms:object=Sale.InvoiceTerms IsTaxInclusive:bool IsReportable:bool Subtotal:dec SubtotalForeign:dec "
        "TotalTax:dec TotalTaxForeign:dec TotalAmount:dec TotalAmountForeign:dec Comment:str ShippingMethod:str "
        "PromisedDate:dt JournalMemo:str BillDeliveryStatus:enum=Sale.DocumentAction AppliedToDate:dec "
        "AppliedToDateForeign:dec BalanceDueAmount:dec BalanceDueAmountForeign:dec "
        "Status:enum=Purchase.PurchaseStatus LastPaymentDate:dt BillType:enum=Purchase.BillType "
        "Category:object=GeneralLedger.CategoryLink Freight:dec FreightForeign:dec "
        "FreightTaxCode:object=GeneralLedger.TaxCodeLink Order:object=Purchase.PurchaseOrderLink "
        "Lines:[]object=Purchase.ItemBillLine"
    ),
    "Purchase.ItemBillLine": (
        "RowID:int Type:enum=Sale.InvoiceLineType Description:str Total:dec TotalForeign:dec "
        "Job:object=GeneralLedger.JobLink TaxCode:object=GeneralLedger.TaxCodeLink RowVersion:str "
        "BillQuantity:dec ReceivedQuantity:dec BackorderQuantity:dec UnitPrice:dec UnitPriceForeign:dec "
        "UnitCount:dec UnitOfMeasure:str DiscountPercent:dec Item:object=Inventory.ItemLink "
        "Account:object=GeneralLedger.AccountLink Location:object=Inventory.LocationLink"
    ),
    "Purchase.PurchaseLink": (
        "UID:guid URI:uri Number:str"
    ),
    "Purchase.PurchaseOrderLink": (
        "UID:guid URI:uri Number:str"
    ),
    "Purchase.ServiceBill": (
        "UID:guid URI:uri RowVersion:str Created:dt LastModified:dt "
        "ForeignCurrency:object=GeneralLedger.CurrencyLink CurrencyExchangeRate:dec Number:str Date:dt "
        "SupplierInvoiceNumber:str Supplier:object=Contact.SupplierLink ShipToAddress:str "
        "Terms:object=Sale.InvoiceTerms IsTaxInclusive:bool IsReportable:bool Subtotal:dec SubtotalForeign:dec "
        "TotalTax:dec TotalTaxForeign:dec TotalAmount:dec TotalAmountForeign:dec Comment:str ShippingMethod:str "
        "PromisedDate:dt JournalMemo:str BillDeliveryStatus:enum=Sale.DocumentAction AppliedToDate:dec "
        "AppliedToDateForeign:dec BalanceDueAmount:dec BalanceDueAmountForeign:dec "
        "Status:enum=Purchase.PurchaseStatus LastPaymentDate:dt BillType:enum=Purchase.BillType "
        "Category:object=GeneralLedger.CategoryLink Freight:dec FreightForeign:dec "
        "FreightTaxCode:object=GeneralLedger.TaxCodeLink Order:object=Purchase.PurchaseOrderLink "
        "Lines:[]object=Purchase.ServiceBillLine"
    ),
    "Purchase.ServiceBillLine": (
        "RowID:int Type:enum=Sale.InvoiceLineType Description:str Total:dec TotalForeign:dec "
        "Job:object=GeneralLedger.JobLink TaxCode:object=GeneralLedger.TaxCodeLink RowVersion:str UnitCount:dec "
        "UnitOfMeasure:str UnitPrice:dec UnitPriceForeign:dec DiscountPercent:dec "
        "Account:object=GeneralLedger.AccountLink"
    ),
    "Purchase.SupplierPayment": (
        "UID:guid URI:uri RowVersion:str Created:dt LastModified:dt "
        "ForeignCurrency:object=GeneralLedger.CurrencyLink CurrencyExchangeRate:dec PayFrom:enum=Purchase.PayFrom "
        "Account:object=GeneralLedger.AccountLink Supplier:object=Contact.SupplierLink Date:dt AmountPaid:dec "
        "AmountPaidForeign:dec Memo:str PayeeAddress:str StatementParticulars:str StatementCode:str "
        "StatementReference:str PaymentNumber:str DeliveryStatus:enum=Sale.DocumentAction "
        "Lines:[]object=Purchase.SupplierPaymentLine"
    ),
    "Purchase.SupplierPaymentLine": (
        "RowID:int Type:enum=Purchase.SupplierPaymentLineType Purchase:object=Purchase.PurchaseLink "
        "AmountApplied:dec AmountAppliedForeign:dec GainOrLossAmount:dec RowVersion:int"
    ),
    "Sale.CreditRefund": (
        "UID:guid URI:uri RowVersion:str Created:dt LastModified:dt "
        "ForeignCurrency:object=GeneralLedger.CurrencyLink CurrencyExchangeRate:dec "
        "Account:object=GeneralLedger.AccountLink Invoice:object=Sale.InvoiceLink "
        "Customer:object=Contact.CustomerLink Payee:str Number:str Date:dt Amount:dec Memo:str ChequePrinted:bool "
        "DeliveryStatus:enum=Sale.DocumentAction"
    ),
    "Sale.CreditSettlement": (
        "UID:guid URI:uri RowVersion:str Created:dt LastModified:dt CreditFromInvoice:object=Sale.InvoiceLink "
        "Customer:object=Contact.CustomerLink ForeignCurrency:object=GeneralLedger.CurrencyLink Number:str "
        "Date:dt CreditAmount:dec Memo:str Lines:[]object=Sale.CreditSettlementLine"
    ),
    "Sale.CreditSettlementLine": (
        "Type:enum=Sale.CreditSettlementLineType Sale:object=Sale.SaleLink AmountApplied:dec"
    ),
    "Sale.CustomerPayment": (
        "UID:guid URI:uri RowVersion:str Created:dt LastModified:dt DepositTo:enum=Sale.DepositTo "
        "Account:object=GeneralLedger.AccountLink Customer:object=Contact.CardLink TransactionUID:guid "
        "ReceiptNumber:str Date:dt AmountReceived:dec AmountReceivedForeign:dec "
        "ForeignCurrency:object=GeneralLedger.CurrencyLink CurrencyExchangeRate:dec PaymentMethod:str Memo:str "
        "Invoices:[]object=Sale.CustomerPaymentLine"
    ),
    "Sale.CustomerPaymentLine": (
        "RowID:int Number:str UID:guid AmountApplied:dec AmountAppliedForeign:dec GainOrLoss:dec "
        "Type:enum=Sale.CustomerPaymentLineType Uri:uri"
    ),
    "Sale.Invoice": (
        "UID:guid URI:uri RowVersion:str Created:dt LastModified:dt Number:str Date:dt "
        "CustomerPurchaseOrderNumber:str Customer:object=Contact.CardLink PromisedDate:dt BalanceDueAmount:dec "
        "BalanceDueAmountForeign:dec Status:enum=Sale.SaleStatus InvoiceType:enum=Sale.InvoiceLayoutType "
        "ShipToAddress:str Terms:object=Sale.InvoiceTerms IsTaxInclusive:bool Subtotal:dec SubtotalForeign:dec "
        "Freight:dec FreightForeign:dec FreightTaxCode:object=GeneralLedger.TaxCodeLink TotalTax:dec "
        "TotalTaxForeign:dec TotalAmount:dec TotalAmountForeign:dec Category:object=GeneralLedger.CategoryLink "
        "Salesperson:object=Contact.CardLink Comment:str ShippingMethod:str JournalMemo:str ReferralSource:str "
        "LastPaymentDate:dt InvoiceDeliveryStatus:enum=Sale.DocumentAction Order:object=Sale.SaleOrderLink "
        "ForeignCurrency:object=GeneralLedger.CurrencyLink CurrencyExchangeRate:dec CanApplySurcharge:bool "
        "CanApplyBPay:bool OnlinePaymentMethod:str"
    ),
    "Sale.InvoiceLink": (
        "UID:guid URI:uri Number:str"
    ),
    "Sale.InvoiceTerms": (
        "PaymentIsDue:enum=TermsPaymentType DiscountDate:int BalanceDueDate:int DiscountForEarlyPayment:dec "
        "MonthlyChargeForLatePayment:dec DiscountExpiryDate:dt Discount:dec DiscountForeign:dec DueDate:dt "
        "FinanceCharge:dec FinanceChargeForeign:dec"
    ),
    "Sale.ItemInvoice": (
        "UID:guid URI:uri RowVersion:str Created:dt LastModified:dt Number:str Date:dt "
        "CustomerPurchaseOrderNumber:str Customer:object=Contact.CardLink PromisedDate:dt BalanceDueAmount:dec "
        "BalanceDueAmountForeign:dec Status:enum=Sale.SaleStatus InvoiceType:enum=Sale.InvoiceLayoutType "
        "ShipToAddress:str Terms:object=Sale.InvoiceTerms IsTaxInclusive:bool Subtotal:dec SubtotalForeign:dec "
        "Freight:dec FreightForeign:dec FreightTaxCode:object=GeneralLedger.TaxCodeLink TotalTax:dec "
        "TotalTaxForeign:dec TotalAmount:dec TotalAmountForeign:dec Category:object=GeneralLedger.CategoryLink "
        "Salesperson:object=Contact.CardLink Comment:str ShippingMethod:str JournalMemo:str ReferralSource:str "
        "LastPaymentDate:dt InvoiceDeliveryStatus:enum=Sale.DocumentAction Order:object=Sale.SaleOrderLink "
        "ForeignCurrency:object=GeneralLedger.CurrencyLink CurrencyExchangeRate:dec CanApplySurcharge:bool "
        "CanApplyBPay:bool OnlinePaymentMethod:str Lines:[]object=Sale.ItemInvoiceLine"
    ),
    "Sale.ItemInvoiceLine": (
        "RowID:int Type:enum=Sale.InvoiceLineType Description:str Total:dec TotalForeign:dec "
        "Job:object=GeneralLedger.JobLink TaxCode:object=GeneralLedger.TaxCodeLink RowVersion:str "
        "ShipQuantity:dec UnitPrice:dec UnitPriceForeign:dec DiscountPercent:dec CostOfGoodsSold:dec "
        "Item:object=Inventory.ItemLink Location:object=Inventory.LocationLink UnitOfMeasure:str UnitCount:dec "
        "Account:object=GeneralLedger.AccountLink"
    ),
    "Sale.Order": (
        "UID:guid URI:uri RowVersion:str Created:dt LastModified:dt "
        "ForeignCurrency:object=GeneralLedger.CurrencyLink CurrencyExchangeRate:dec Number:str Date:dt "
        "CustomerPurchaseOrderNumber:str Customer:object=Contact.CustomerLink Terms:object=Sale.OrderTerms "
        "IsTaxInclusive:bool Subtotal:dec Freight:dec FreightTaxCode:object=GeneralLedger.TaxCodeLink "
        "TotalTax:dec TotalAmount:dec Category:object=GeneralLedger.CategoryLink "
        "Salesperson:object=Contact.EmployeeLink JournalMemo:str ReferralSource:str AppliedToDate:dec "
        "BalanceDueAmount:dec Status:enum=Sale.OrderStatus LastPaymentDate:dt OrderType:enum=Sale.OrderLayoutType"
    ),
    "Sale.OrderTerms": (
        "PaymentIsDue:enum=TermsPaymentType DiscountDate:int BalanceDueDate:int DiscountForEarlyPayment:dec "
        "MonthlyChargeForLatePayment:dec DiscountExpiryDate:dt Discount:dec DiscountForeign:dec DueDate:dt "
        "FinanceCharge:dec FinanceChargeForeign:dec"
    ),
    "Sale.SaleLink": (
        "UID:guid URI:uri Number:str"
    ),
    "Sale.SaleOrderLink": (
        "UID:guid URI:uri Number:str"
    ),
    "Sale.ServiceInvoice": (
        "UID:guid URI:uri RowVersion:str Created:dt LastModified:dt Number:str Date:dt "
        "CustomerPurchaseOrderNumber:str Customer:object=Contact.CardLink PromisedDate:dt BalanceDueAmount:dec "
        "BalanceDueAmountForeign:dec Status:enum=Sale.SaleStatus InvoiceType:enum=Sale.InvoiceLayoutType "
        "ShipToAddress:str Terms:object=Sale.InvoiceTerms IsTaxInclusive:bool Subtotal:dec SubtotalForeign:dec "
        "Freight:dec FreightForeign:dec FreightTaxCode:object=GeneralLedger.TaxCodeLink TotalTax:dec "
        "TotalTaxForeign:dec TotalAmount:dec TotalAmountForeign:dec Category:object=GeneralLedger.CategoryLink "
        "Salesperson:object=Contact.CardLink Comment:str ShippingMethod:str JournalMemo:str ReferralSource:str "
        "LastPaymentDate:dt InvoiceDeliveryStatus:enum=Sale.DocumentAction Order:object=Sale.SaleOrderLink "
        "ForeignCurrency:object=GeneralLedger.CurrencyLink CurrencyExchangeRate:dec CanApplySurcharge:bool "
        "CanApplyBPay:bool OnlinePaymentMethod:str Lines:[]object=Sale.ServiceInvoiceLine"
    ),
    "Sale.ServiceInvoiceLine": (
        "RowID:int Type:enum=Sale.InvoiceLineType Description:str Total:dec TotalForeign:dec "
        "Job:object=GeneralLedger.JobLink TaxCode:object=GeneralLedger.TaxCodeLink RowVersion:str Date:dt "
        "Account:object=GeneralLedger.AccountLink UnitOfMeasure:str UnitCount:dec UnitPrice:dec "
        "UnitPriceForeign:dec DiscountPercent:dec"
    ),
    "Sale.ServiceOrder": (
        "UID:guid URI:uri RowVersion:str Created:dt LastModified:dt "
        "ForeignCurrency:object=GeneralLedger.CurrencyLink CurrencyExchangeRate:dec Number:str Date:dt "
        "CustomerPurchaseOrderNumber:str Customer:object=Contact.CustomerLink Terms:object=Sale.OrderTerms "
        "IsTaxInclusive:bool Subtotal:dec Freight:dec FreightTaxCode:object=GeneralLedger.TaxCodeLink "
        "TotalTax:dec TotalAmount:dec Category:object=GeneralLedger.CategoryLink "
        "Salesperson:object=Contact.EmployeeLink JournalMemo:str ReferralSource:str AppliedToDate:dec "
        "BalanceDueAmount:dec Status:enum=Sale.OrderStatus LastPaymentDate:dt OrderType:enum=Sale.OrderLayoutType "
        "Lines:[]object=Sale.ServiceOrderLine SubtotalForeign:dec FreightForeign:dec TotalTaxForeign:dec "
        "TotalAmountForeign:dec AppliedToDateForeign:dec BalanceDueAmountForeign:dec ShipToAddress:str "
        "Comment:str ShippingMethod:str PromisedDate:dt DeliveryStatus:enum=Sale.DocumentAction"
    ),
    "Sale.ServiceOrderLine": (
        "RowID:int Type:enum=Sale.OrderLineType Description:str RowVersion:str Total:dec TotalForeign:dec "
        "Account:object=GeneralLedger.AccountLink Job:object=GeneralLedger.JobLink "
        "TaxCode:object=GeneralLedger.TaxCodeLink"
    ),
    "Subscription": (
        "IsTrial:bool Product:object=SubscriptionProduct"
    ),
    "SubscriptionProduct": (
        "ProductLine:str Name:str DisplayName:str Id:str"
    ),
}

ENUMS: dict[str, str] = {
    "Company.CategoryTracking": (
        "Off OnAndNotRequired OnAndRequired"
    ),
    "Company.PriceLevel": (
        "BaseSellingPrice LevelA LevelB LevelC LevelD LevelE LevelF"
    ),
    "Company.TimesheetPreferenceUsage": (
        "TimeBillingAndPayroll Payroll"
    ),
    "Contact.ContactType": (
        "Customer Supplier Employee Personal"
    ),
    "Contact.PurchaseLayoutType": (
        "NoDefault Service Item Professional Miscellaneous"
    ),
    "GeneralLedger.AccountType": (
        "Bank AccountReceivable OtherCurrentAsset FixedAsset OtherAsset CreditCard AccountsPayable "
        "OtherCurrentLiability LongTermLiability OtherLiability Equity Income CostOfSales Expense OtherIncome "
        "OtherExpense"
    ),
    "GeneralLedger.Classification": (
        "Asset Liability Equity Income CostOfSales Expense OtherIncome OtherExpense"
    ),
    "GeneralLedger.TaxCodeType": (
        "Consolidated ImportDuty SalesTax GST_VAT InputTaxed QST LuxuryCarTax WithholdingsTax NoABN_TFN "
        "ECPurchVAT ECSalesVAT"
    ),
    "Inventory.CalculateSalesTaxOn": (
        "ActualSellingPrice BaseSellingPrice LevelA LevelB LevelC LevelD LevelE LevelF"
    ),
    "Purchase.BillType": (
        "Service Item Professional Miscellaneous PreConversion"
    ),
    "Purchase.DebitSettlementLineType": (
        "Bill Order Purged"
    ),
    "Purchase.PayFrom": (
        "Account ElectronicPayments"
    ),
    "Purchase.PurchaseStatus": (
        "Unknown Open Closed Debit"
    ),
    "Purchase.SupplierPaymentLineType": (
        "Purged Bill Order"
    ),
    "Sale.CreditSettlementLineType": (
        "Invoice Order Purged"
    ),
    "Sale.CustomerPaymentLineType": (
        "Invoice Order Purged"
    ),
    "Sale.DepositTo": (
        "Account UndepositedFunds"
    ),
    "Sale.DocumentAction": (
        "Nothing Print Email PrintAndEmail"
    ),
    "Sale.InvoiceLayoutType": (
        "NoDefault Service Item Professional TimeBilling Miscellaneous PreConversion"
    ),
    "Sale.InvoiceLineType": (
        "Transaction Header SubTotal"
    ),
    "Sale.OrderLayoutType": (
        "Service Item Professional Miscellaneous TimeBilling"
    ),
    "Sale.OrderLineType": (
        "Transaction Header SubTotal"
    ),
    "Sale.OrderStatus": (
        "Open ConvertedToInvoice"
    ),
    "Sale.SaleStatus": (
        "Unknown Open Closed Credit"
    ),
    "TermsPaymentType": (
        "CashOnDelivery Prepaid InAGivenNumberOfDays OnADayOfTheMonth NumberOfDaysAfterEOM DayOfMonthAfterEOM"
    ),
}
